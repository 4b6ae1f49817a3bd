"""The errors pdkit raises on purpose.

Every one of them derives from :class:`PdkitError`, so one ``except`` catches them all::

    PdkitError
     ├── DefinitionError          a YAML definition (form, school goals, …) is malformed
     ├── StoreError               the answer store cannot be opened, read or written
     │    ├── ConflictError       someone else changed a shared record first (retry)
     │    ├── AlreadyAnsweredError  a participant answers the anonymous session evaluation
     │    │                       a second time (it cannot be changed: nobody knows which is theirs)
     │    ├── CredentialError     a micro-credential's submission or assessment cannot be
     │    │                       kept as given, or a credential fails verification
     │    ├── EvidenceError       an evidence item cannot be kept as given (a link that is
     │    │                       not a web link, too long, too many, student data shared
     │    │                       beyond the coach)
     │    └── DriverMissingError  its database driver is not installed (also a
     │                            MissingDependencyError)
     ├── IdentityError            a participant cannot be identified (bad name, unknown link)
     ├── AccessError              the asker may not see this (private, or not shared with them)
     ├── WorkbookFileError        a file is not a saved pdkit workbook we can read
     ├── ScheduleError            a check-in schedule cannot be read
     ├── OutreachError            a reminder cannot be sent: the SMTP settings are wrong,
     │                            the server is down, refuses the login or the TLS
     ├── MissingDependencyError   an optional package is not installed (says what to install)
     └── AnswerError              an answer cannot be taken as typed (a number that is not
                                  one, or out of its field's range; also a ValueError)

Messages are written for the person who has to fix the problem: they say what is
wrong, where, and what to do. Each is an English sentence marked for translation, with
the values it names as keywords (``StoreError(N_("{name} is too long."), name=name)``;
with a count, ``Nn_("{count} item", "{count} items")`` and ``count=``): ``str(error)``
is the English, :meth:`PdkitError.said` the same message in a reader's language. A
message is a :class:`~pdkit._said.Said` (imported here too), as are the lines commands
print and the warnings they collect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._said import Message as Message
from ._said import Said as Said
from ._said import _english, _english_plural, _fill
from ._said import in_language as in_language

__all__ = [
    "AccessError",
    "AlreadyAnsweredError",
    "AnswerError",
    "ConflictError",
    "CredentialError",
    "DefinitionError",
    "DriverMissingError",
    "EvidenceError",
    "IdentityError",
    "MissingDependencyError",
    "OutreachError",
    "PdkitError",
    "ScheduleError",
    "StoreError",
    "WorkbookFileError",
]


class PdkitError(Exception):
    """Base class of every error pdkit raises on purpose.

    ``template`` is the message's English as written (``N_("… {name} …")``, or
    ``Nn_(one, many)`` with a ``count`` word) and ``words`` the values of its
    placeholders; ``str(error)`` is the English filled in, :meth:`said` the message in
    the language of the translators it is given. Values are filled in after the text is
    translated, so what a teacher typed is never taken for a placeholder.
    """

    def __init__(self, message: Message = "", /, **words: Any) -> None:
        self.template: Message = message
        self.words: dict[str, Any] = words
        super().__init__(self.said(_english, _english_plural))

    def said(
        self, t: Callable[[str], str], tn: Callable[[str, str, int], str] | None = None
    ) -> str:
        """The message in the language of ``t`` (and ``tn``, for a message with a count;
        by default ``t``'s own, :func:`pdkit.i18n.translator`'s ``plural``); the English
        where a translation cannot be filled in."""
        return _fill(self.template, self.words, t, tn)

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[PdkitError], args: tuple[Any, ...], state: dict[str, Any]) -> PdkitError:
    """An error as it was pickled (its keywords and message kept)."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class DefinitionError(PdkitError):
    """A definition file is malformed.

    ``file`` names the file, ``line`` the 1-based line when it is known and
    ``path`` the location inside the document (``fields[2].type``); ``problem``
    is the bare description. ``str(error)`` joins them into one line such as
    ``goal.yaml, line 14: fields[2].type: 'txt' is not one of 'text', …``.

    Messages are short: whoever makes one cuts the values it repeats, and a problem (or
    path) longer than a few lines is cut in its middle here, so that no file, however
    large or strange, makes a message that buries what it says.
    """

    def __init__(
        self,
        problem: Message,
        /,
        *,
        file: str = "<string>",
        line: int | None = None,
        path: str = "",
        **words: Any,
    ) -> None:
        self.file = file
        self.line = line
        self.path = _clip(path, 160)
        super().__init__(problem, **words)
        self.problem = _clip(_fill(problem, words, _english, None), 400)

    def said(
        self, t: Callable[[str], str], tn: Callable[[str, str, int], str] | None = None
    ) -> str:
        problem = _clip(_fill(self.template, self.words, t, tn), 400)
        if self.line is None:
            where = self.file
        else:
            where = t("{file}, line {line}").format(file=self.file, line=self.line)
        return f"{where}: {self.path}: {problem}" if self.path else f"{where}: {problem}"


def _clip(text: str, most: int) -> str:
    """``text``, or its start and end around " … " so that it is ``most`` characters."""
    if len(text) <= most:
        return text
    end = most // 4
    return f"{text[: most - end - 3]} … {text[-end:]}"


class StoreError(PdkitError):
    """The answer store cannot be opened, read or written."""


class ConflictError(StoreError):
    """A shared record (a protocol run) changed since it was read: read it again and retry."""


class EvidenceError(StoreError):
    """An evidence item cannot be kept as given: its link is not a web link (``https://``),
    a text is too long, the teacher has too many items, or an item with student data is
    asked to be shared beyond the coach. The message says what to change."""


class IdentityError(PdkitError):
    """A participant cannot be identified (empty name, unknown resume link, …)."""


class AccessError(PdkitError):
    """The asker may not read this: a teacher's writing that is private, or shared
    with other people than them (see :mod:`pdkit.store`, visibility)."""


class WorkbookFileError(PdkitError):
    """A file is not a saved pdkit workbook that this version can read (foreign notebook,
    broken JSON, a newer format); the message names the file and what to do.

    ``kind`` says what is wrong in one word, for a page to say it in its reader's
    language (:data:`WORKBOOK_FILE_KINDS`): ``unreadable`` (not a file pdkit can read as
    a notebook at all), ``not-saved`` (a notebook, but not one saved from pdkit),
    ``newer`` (saved by a newer pdkit), ``damaged`` (pdkit's saved answers in it are
    broken) or ``other-workbook`` (a saved copy of another workbook)."""

    def __init__(self, message: Message, /, kind: str = "unreadable", **words: Any) -> None:
        self.kind = kind if kind in WORKBOOK_FILE_KINDS else "unreadable"
        super().__init__(message, **words)


WORKBOOK_FILE_KINDS = ("unreadable", "not-saved", "newer", "damaged", "other-workbook")
"""The kinds of :class:`WorkbookFileError`."""


class ScheduleError(PdkitError, ValueError):
    """A check-in schedule cannot be read (the message says which part and how to write
    it), or a reminder cannot be sent as asked."""


class OutreachError(PdkitError):
    """Reminders cannot go out: the SMTP settings are malformed, or the mail server is
    down, refuses the login, or its TLS fails (the message names the server, never the
    password, and says what to check)."""


class MissingDependencyError(PdkitError):
    """A feature needs a package that is not installed. ``package`` is what to install
    (``psycopg[binary]``), ``extra`` the pdkit extra that brings it, if there is one."""

    def __init__(
        self, message: Message, /, *, package: str, extra: str | None = None, **words: Any
    ) -> None:
        super().__init__(message, **words)
        self.package = package
        self.extra = extra


class DriverMissingError(StoreError, MissingDependencyError):
    """A store needs a database driver that is not installed."""


class AlreadyAnsweredError(StoreError):
    """The participant has already answered this session's evaluation. Answers are
    anonymous (nothing in the store says which sheet is whose), so they cannot be
    changed or answered again."""


class AnswerError(PdkitError, ValueError):
    """An answer cannot be taken as typed: a number field's text is not a number pdkit
    keeps (words, an exponent, a thousands separator, too many digits), or it is outside
    the field's ``min`` / ``max``. The message says what to type instead."""


class CredentialError(StoreError):
    """A micro-credential's submission or assessment cannot be kept as given (an item of
    the wrong kind, student data beyond the coach, a criterion left unscored), or an
    issued credential fails verification (its signature, its shape)."""
