"""``load``: a short pipeline, each step from its own module — sources (``_sources``) →
collect (``_collect``) → forms (``_forms``) → frames (``_build``)."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from ..definitions import GoalsSource, builtin_definitions, resolve_school_goals
from ..errors import Said
from ..i18n import N_, Nn_
from ..notebooks.untrusted import shown
from ..revisions import SITTING_GAP
from ..store import DEFAULT_SESSION, Viewer
from ._build import build_review
from ._collect import Collected, collect
from ._forms import Forms
from ._review import Review
from ._sources import Source, gather

__all__ = ["Progress", "Warn", "load"]

Warn = Callable[[str], None]
Progress = Callable[[int, int], None]


def load(
    sources: Source | Iterable[Source],
    *,
    warn: Warn | None = None,
    progress: Progress | None = None,
    session: str = DEFAULT_SESSION,
    definitions: Iterable[str | os.PathLike[str]] = (),
    school_goals: GoalsSource = None,
    language: str | None = None,
    sitting_gap: float = SITTING_GAP,
    viewer: Viewer | None = None,
) -> Review:
    """Read saved workbooks and stores into a :class:`Review` (see the package docs).

    Stores are read as ``viewer`` (default: :meth:`pdkit.store.Viewer.steward`, which
    sees what teachers shared at ``coach`` level or wider).

    ``warn(message)`` hears of each problem as it happens: a skipped file or store, a
    form without definition (every message is also in ``Review.warnings``).
    ``progress(done, total)`` is called after each file and each participant of a
    store. ``definitions`` (YAML files or folders) give the labels of a district's own
    forms; ``school_goals`` (a list, or a YAML/CSV file; default
    ``$PDKIT_SCHOOL_GOALS``, else the sample goals) give the labels of the goals.
    ``sitting_gap`` is in seconds (see "Versions").

    Raises :class:`pdkit.PdkitError` only for a bad ``definitions`` or
    ``school_goals`` argument; bad sources become warnings.
    """
    warnings: list[str] = []

    def note(message: str) -> None:
        warnings.append(message)
        if warn is not None:
            warn(message)

    forms = Forms(definitions, resolve_school_goals(school_goals, language), language)
    found = gather(sources, note)
    try:
        with _collector_paused():
            collected, read, skipped = collect(
                found.files,
                [(label, store) for label, store, _ in found.stores],
                session=session,
                form_ids=lambda: sorted(
                    {*builtin_definitions("form"), *builtin_definitions("reflection"), *forms.given}
                ),
                viewer=viewer if viewer is not None else Viewer.steward(),
                note=note,
                progress=progress,
            )
            _note_unknown_forms(collected, forms, note)
            return build_review(
                collected, forms, warnings, tuple(read), found.skipped + skipped, sitting_gap
            )
    finally:
        found.close()


_NAMED_FORMS = 10
"""Forms without a definition named one warning each; any more are counted in one."""


def _note_unknown_forms(collected: Collected, forms: Forms, note: Warn) -> None:
    ids = sorted({*collected.events[1], *(key[1] for key in collected.fallback)})
    unknown = [form_id for form_id in ids if forms.get(form_id) is None]
    for form_id in unknown[:_NAMED_FORMS]:
        note(
            Said(
                N_(
                    "form {form} has no definition here: its answers are shown as stored, "
                    "without labels (pass its YAML with definitions= / --definitions)"
                ),
                form=shown(form_id),
            )
        )
    if len(unknown) > _NAMED_FORMS:
        note(
            Said(
                Nn_(
                    "{count} more form has no definition here either",
                    "{count} more forms have no definition here either",
                ),
                count=len(unknown) - _NAMED_FORMS,
            )
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading keeps hundreds of thousands of small objects alive until the DataFrames
    are built; none form cycles, yet CPython's cyclic collector would scan them again and
    again as they pile up (a third of the time of a large batch). It is paused while
    loading and restored as it was."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
