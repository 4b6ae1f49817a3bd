"""Load definitions: parse and validate YAML text, read files, find the built-ins.

``load_definition("goal-setting")`` reads a built-in definition by id; any path to a
YAML file works too. A malformed file raises :class:`pdkit.DefinitionError` naming the
file, the line and the path of the bad part.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .._files import FileRefused, read_bounded
from ..errors import DefinitionError
from ..i18n import N_
from ._build import (
    build_agenda,
    build_form,
    build_protocol,
    build_workbook,
    localize,
)
from ._credential_model import CredentialDefinition
from ._credentials import build_credential
from ._limits import MAX_FILE_BYTES, check_file_size, close_matches, shown, too_deep
from ._look_fors import build_look_fors
from ._model import (
    KINDS,
    Definition,
    FormDefinition,
    LookForsDefinition,
    PathwayDefinition,
    ProtocolDefinition,
    WorkbookDefinition,
)
from ._parsed import compose, line_of
from ._pathway import build_pathway
from ._schema import validate, validate_text

if TYPE_CHECKING:
    import yaml

__all__ = [
    "builtin_credentials",
    "builtin_definition_path",
    "builtin_definitions",
    "builtin_pathways",
    "builtin_workbook_path",
    "builtin_workbooks",
    "definition_files",
    "definition_from_data",
    "load_credential",
    "load_definition",
    "load_form",
    "load_pathway",
    "load_pathways",
    "load_protocol",
    "load_workbook",
    "parse_definition",
    "protocol_by_id",
    "read_text",
    "read_yaml",
    "templates_dir",
]


def parse_definition(
    text: str, *, file: str = "<string>", language: str | None = None
) -> Definition:
    """Parse and validate a definition given as YAML text (``file`` names it in errors).

    Texts given per language are resolved for ``language`` (see :func:`pdkit.i18n.choose`).
    """
    data, root = compose(text, file)
    return definition_from_data(data, root, file, language, text=text)


def definition_from_data(
    data: Any,
    root: yaml.Node | None,
    file: str,
    language: str | None = None,
    *,
    text: str | None = None,
) -> Definition:
    """A definition from a parsed document (:func:`compose`'s data and node tree; its
    ``text`` when known: a text ``pdkit serve`` checked is not checked again)."""
    try:
        return _definition(data, root, file, language, text)
    except RecursionError:  # the limits keep documents shallow; this is the last guard
        raise too_deep(file) from None


def _definition(
    data: Any, root: yaml.Node | None, file: str, language: str | None, text: str | None
) -> Definition:
    if not isinstance(data, dict):
        raise DefinitionError(
            N_("a definition must be a YAML mapping with 'kind', 'id', 'title', …"),
            file=file,
            line=line_of(root, []),
        )
    kind = data.get("kind")
    if kind not in KINDS:
        raise DefinitionError(
            N_("missing required key 'kind' (for example 'kind: form')")
            if kind is None
            else N_("{found} is not a kind this version of pdkit reads (known: {known})"),
            file=file,
            line=line_of(root, ["kind"]),
            path="" if kind is None else "kind",
            found=shown(kind),
            known=", ".join(repr(k) for k in KINDS),
        )
    if text is None:
        validate(kind, data, file, root)
    else:
        validate_text(kind, data, file, root, text)
    data = localize(data, language)
    if kind == "protocol":
        return build_protocol(data, file, root)
    if kind == "workbook":
        return build_workbook(data, file, root)
    if kind == "agenda":
        return build_agenda(data, file, root)
    if kind == "look-fors":
        return build_look_fors(data, file, root)
    if kind == "pathway":
        return build_pathway(data, file, root)
    if kind == "micro-credential":
        return build_credential(data, file, root)
    return build_form(data, file, root)


def definition_files(paths: Sequence[Path]) -> list[Path]:
    """The YAML files among ``paths``, a folder standing for every ``.yaml`` and ``.yml``
    below it (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


def read_text(path: Path) -> str:
    """A definition (or school goals) file's text; :class:`DefinitionError` says why it
    cannot be read. A file larger than :data:`MAX_FILE_BYTES` is refused before it is
    read to the end (a byte order mark is dropped)."""
    try:
        raw = read_bounded(path, MAX_FILE_BYTES)
    except FileRefused as refused:
        if refused.kind == "missing":
            raise DefinitionError(N_("file not found"), file=str(path)) from None
        if refused.kind == "too-large":
            check_file_size(refused.size, str(path), at_least=refused.at_least)
        if refused.kind == "not-a-file":
            raise DefinitionError(
                N_("not a file (a device, a pipe or a socket): give the path of a YAML file"),
                file=str(path),
            ) from None
        raise DefinitionError(
            N_("cannot be read ({reason})"), file=str(path), reason=refused.reason
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            N_("not UTF-8 text ({reason} at line {number}) (it is UTF-16): save it as UTF-8")
            if raw[:2] in (b"\xff\xfe", b"\xfe\xff")
            else N_("not UTF-8 text ({reason} at line {number}): save it as UTF-8"),
            file=str(path),
            reason=exc.reason,
            number=raw.count(b"\n", 0, exc.start) + 1,
        ) from None


def read_yaml(path: Path) -> Any:
    """A YAML file's data, read within the same limits as a definition (size, aliases,
    depth …); :class:`DefinitionError` says why it cannot be."""
    data, _root = compose(read_text(path), str(path))
    return data


def load_definition(source: str | Path, *, language: str | None = None) -> Definition:
    """Load a definition from a YAML file, or a built-in one by its id (``"goal-setting"``)."""
    path = Path(source)
    if not path.suffix and not path.exists():
        path = builtin_definition_path(str(source))
    return parse_definition(read_text(path), file=str(path), language=language)


_D = TypeVar(
    "_D",
    FormDefinition,
    ProtocolDefinition,
    WorkbookDefinition,
    LookForsDefinition,
    PathwayDefinition,
    CredentialDefinition,
)


def _expect(definition: Definition, kind: type[_D]) -> _D:
    """``definition`` if it is of ``kind``; else an error saying what was needed."""
    if isinstance(definition, kind):
        return definition
    where: dict[str, Any] = {"file": definition.source, "path": "kind", "found": definition.kind}
    if kind is FormDefinition:
        raise DefinitionError(
            N_("this is a {found}, where a form or reflection is needed"), **where
        )
    if kind is WorkbookDefinition:
        raise DefinitionError(N_("this is a {found}, where a workbook is needed"), **where)
    if kind is ProtocolDefinition:
        raise DefinitionError(N_("this is a {found}, where a protocol is needed"), **where)
    if kind is LookForsDefinition:
        raise DefinitionError(N_("this is a {found}, where a list of look-fors is needed"), **where)
    if kind is PathwayDefinition:
        raise DefinitionError(N_("this is a {found}, where a pathway is needed"), **where)
    raise DefinitionError(N_("this is a {found}, where a micro-credential is needed"), **where)


def load_form(source: str | Path, *, language: str | None = None) -> FormDefinition:
    """Like :func:`load_definition`, for a form or a reflection (anything else is an error)."""
    return _expect(load_definition(source, language=language), FormDefinition)


def load_workbook(source: str | Path, *, language: str | None = None) -> WorkbookDefinition:
    """A workbook definition from a YAML file, or a built-in one by id (an agenda is a
    workbook too: :class:`~._model.AgendaDefinition`)."""
    path = Path(source)
    if not path.suffix and not path.exists():
        path = builtin_workbook_path(str(source))
    definition = parse_definition(read_text(path), file=str(path), language=language)
    return _expect(definition, WorkbookDefinition)


def load_protocol(source: str | Path, *, language: str | None = None) -> ProtocolDefinition:
    """Like :func:`load_definition`, for a protocol (anything else is an error)."""
    return _expect(load_definition(source, language=language), ProtocolDefinition)


def load_look_fors(source: str | Path, *, language: str | None = None) -> LookForsDefinition:
    """A district's look-fors from a YAML file, or a built-in list by id
    (``templates/look-fors/<id>.yaml``)."""
    path = _file_or_builtin(source, "look-fors")
    definition = parse_definition(read_text(path), file=str(path), language=language)
    return _expect(definition, LookForsDefinition)


def load_credential(source: str | Path, *, language: str | None = None) -> CredentialDefinition:
    """A micro-credential from a YAML file, or a built-in one by id
    (``templates/micro-credentials/<id>.yaml``)."""
    path = _file_or_builtin(source, "micro-credentials")
    definition = parse_definition(read_text(path), file=str(path), language=language)
    return _expect(definition, CredentialDefinition)


def builtin_credentials() -> list[str]:
    """The ids of the micro-credentials installed with pdkit."""
    return _builtin_ids("micro-credentials")


def builtin_look_fors() -> list[str]:
    """The ids of the lists of look-fors installed with pdkit."""
    return _builtin_ids("look-fors")


def load_pathway(source: str | Path, *, language: str | None = None) -> PathwayDefinition:
    """A pathway from a YAML file, or a built-in one by id (``templates/pathways/<id>.yaml``)."""
    path = _file_or_builtin(source, "pathways")
    definition = parse_definition(read_text(path), file=str(path), language=language)
    return _expect(definition, PathwayDefinition)


def load_pathways(
    source: str | Path | None = None, *, language: str | None = None
) -> list[PathwayDefinition]:
    """Every pathway in a folder (other kinds beside them are passed over) or in one
    file; pdkit's own (``templates/pathways``) when ``source`` is None. Two pathways
    with one id are an error."""
    folder = Path(source) if source is not None else templates_dir() / "pathways"
    if not folder.exists():
        raise DefinitionError(N_("no such file or folder of pathways"), file=str(folder))
    found: list[PathwayDefinition] = []
    for path in definition_files([folder]):
        text = read_text(path)
        data, root = compose(text, str(path))
        if folder.is_dir() and (
            isinstance(data, list)
            or (isinstance(data, dict) and "goals" in data and "kind" not in data)
        ):
            continue  # school goals kept beside the pathways
        definition = definition_from_data(data, root, str(path), language, text=text)
        if not isinstance(definition, PathwayDefinition):
            if folder.is_dir():
                continue
            _expect(definition, PathwayDefinition)
        assert isinstance(definition, PathwayDefinition)
        same = [p.source for p in found if p.id == definition.id]
        if same:
            raise DefinitionError(
                N_("the pathway id {id!r} is also used by {first}; each pathway needs its own id"),
                file=str(path),
                path="id",
                id=definition.id,
                first=same[0],
            )
        found.append(definition)
    return found


def builtin_pathways() -> list[str]:
    """The ids of the pathways installed with pdkit."""
    return _builtin_ids("pathways")


@cache
def protocol_by_id(protocol_id: str, language: str | None = None) -> ProtocolDefinition:
    """The built-in protocol with this id, in ``language`` (its texts given in that
    language, else in English), read once per process and language (a run names its
    protocol by id; every participant's page and the facilitator's look it up, each in
    the page's language)."""
    return load_protocol(protocol_id, language=language)


# --------------------------------------------------------------------------- built-ins


def templates_dir() -> Path:
    """The folder of the definitions installed with pdkit."""
    return Path(str(resources.files("pdkit").joinpath("templates")))


def _builtin_ids(folder: str) -> list[str]:
    """The ids of the definitions installed with pdkit in ``templates/<folder>``."""
    return sorted(p.stem for p in (templates_dir() / folder).glob("*.yaml"))


def _file_or_builtin(source: str | Path, folder: str) -> Path:
    """``source`` as a file, or (a bare id) pdkit's own ``templates/<folder>/<id>.yaml``
    (``folder``: ``look-fors``, ``micro-credentials`` or ``pathways``); a clear error
    naming the built-ins when neither exists."""
    path = Path(source)
    if not path.suffix and not path.exists():
        path = templates_dir() / folder / f"{source}.yaml"
        if not path.is_file():
            where: dict[str, Any] = {"file": str(source), "ids": ", ".join(_builtin_ids(folder))}
            if folder == "look-fors":
                raise DefinitionError(
                    N_(
                        "no such file, and no built-in list of look-fors has this id "
                        "(built-ins: {ids})"
                    ),
                    **where,
                )
            if folder == "micro-credentials":
                raise DefinitionError(
                    N_(
                        "no such file, and no built-in micro-credential has this id "
                        "(built-ins: {ids})"
                    ),
                    **where,
                )
            raise DefinitionError(
                N_("no such file, and no built-in pathway has this id (built-ins: {ids})"),
                **where,
            )
    return path


def builtin_definitions(kind: str | None = None) -> list[str]:
    """The ids of the definitions installed with pdkit (only those of ``kind`` if given)."""
    ids = sorted(p.stem for p in templates_dir().glob("*.yaml") if p.stem != "school-goals")
    if kind is None:
        return ids
    return [i for i in ids if load_definition(i).kind == kind]


def builtin_workbooks() -> list[str]:
    """The ids of the workbook definitions installed with pdkit."""
    return sorted(p.stem for p in (templates_dir() / "workbooks").glob("*.yaml"))


def builtin_workbook_path(workbook_id: str) -> Path:
    """The installed YAML file of a built-in workbook definition."""
    path = templates_dir() / "workbooks" / f"{workbook_id}.yaml"
    if not path.is_file():
        raise DefinitionError(
            N_("no such file, and no built-in workbook has this id (built-in workbooks: {ids})"),
            file=workbook_id,
            ids=", ".join(builtin_workbooks()),
        )
    return path


def builtin_definition_path(definition_id: str) -> Path:
    """The installed YAML file of a built-in definition."""
    path = templates_dir() / f"{definition_id}.yaml"
    if not path.is_file():
        ids = builtin_definitions()
        close = close_matches(definition_id, ids)
        raise DefinitionError(
            N_(
                "no such file, and no built-in definition has this id (did you mean "
                "{close!r}? built-ins: {ids})"
            )
            if close
            else N_("no such file, and no built-in definition has this id (built-ins: {ids})"),
            file=definition_id,
            close=close[0] if close else "",
            ids=", ".join(ids),
        )
    return path
