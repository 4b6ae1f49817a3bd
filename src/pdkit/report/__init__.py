"""The coach's report: one offline HTML file from a :class:`pdkit.review.Review`.

::

    from pdkit import report, review

    html = report.report_html(review.load("collected/"), title="Spring cycle")
    Path("report.html").write_text(html, encoding="utf-8")

The page is a single file with no external assets and no ``<script>`` at all: the
charts are small inline SVG (bars from :func:`pdkit.charts.bar_chart`, and a point A →
point B timeline per teacher), styled by one ``<style>`` element. It is rendered from
the Jinja templates in ``templates/``, autoescaped; every value a template prints goes
through :func:`text`, which escapes HTML and also encodes ``=`` and ``:``
(:func:`pdkit.charts.escape_text`), so no text from a teacher, a coach or a definition
can ever read as markup, an attribute or a URL — not even to a naive scan for
``onerror=`` or ``javascript:`` — and it is only ever data, never template code. Only
the charts, escaped as they are drawn, are passed through as they are.

What is in it: a cohort summary (participants, goals per school goal, progress at the
latest check-in, whose goal has not been revisited), then a section per teacher: the
goal now, its versions (what changed in each), the timeline from point A
(when the goal was set) toward point B (the target date) with the check-ins, the
check-ins, coach comments, the observations the teacher shared, and the evidence items
the reader may see (an item with student data by its kind, date and caption only: what
it holds stays in pdkit, where only the teacher and their coach see it; a link only
when it is http(s)).

Privacy: the goal and the check-ins (progress, evidence, next step, the support asked
for) are shared with the coach by design of a coaching cycle; the workbooks tell
teachers so, and the report says so at the top. Reflections and protocol notes are
private to the teacher: they are left out (only counted) unless
``include_private=True`` is passed, and the report then says that it holds private text.

Languages: ``report_html(review, language="es")`` (``pdkit review --language es``) writes
pdkit's own words from its gettext catalogs, with Jinja2's i18n extension in the templates
(a language without a catalog is English); ``<html lang>`` says which. What teachers,
coaches and definitions wrote is shown as it is; dates are written as ISO dates.

Inside: ``_context`` turns the Review into the plain rows and numbers the templates
show (``_rows``), ``_timeline`` draws the timeline, ``_text`` holds :func:`text`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from html import escape

import jinja2
from markupsafe import Markup

from ..i18n import DEFAULT_LANGUAGE, direction, plural_translator, shown_language, translator
from ..review import Review
from ._context import page
from ._text import text, trusted

__all__ = ["STALE_DAYS", "report_html", "text"]

STALE_DAYS = 21
"""A goal not changed for this many days counts as not revisited (with one version only)."""


def _printed(value: object) -> Markup:
    """What ``{{ value }}`` prints: Markup as it is, anything else through :func:`text`."""
    return value if isinstance(value, Markup) else trusted(text(value))


def _lines(value: object) -> Markup:
    """Multi-line text: escaped, line breaks kept (the ``lines`` filter)."""
    return trusted(text(value).replace("\n", "<br>"))


def _fill(said: Markup, **values: object) -> Markup:
    """A sentence of pdkit's (``_("… {name} …")``) with its placeholders filled, each value
    printed as ``{{ value }}`` prints it (the ``fill`` filter)."""
    return said.format(**{name: _printed(value) for name, value in values.items()})


def _words(language: str) -> Callable[[str], Markup]:
    """The templates' gettext: pdkit's words in ``language`` (its catalog, else English),
    HTML-escaped; they are pdkit's own text, like the templates' (a ``:`` stays a ``:``)."""
    t = translator(language)
    return lambda message: trusted(escape(t(message)))


@cache
def _template(language: str = DEFAULT_LANGUAGE) -> jinja2.Template:
    """The page's template in ``language``, compiled once (with its macros). pdkit's words
    in it are translated with Jinja2's i18n extension: ``{% trans %}…{% endtrans %}`` for a
    sentence without values, ``{{ _("… {name} …")|fill(name=value) }}`` for one with
    (``make i18n`` extracts both into pdkit's catalogs)."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("pdkit.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_printed,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    say = _words(language)
    forms = plural_translator(language)
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=say,
        ngettext=lambda one, many, n: trusted(escape(forms(one, many, n))),
        newstyle=False,
    )
    environment.filters["lines"] = _lines
    environment.filters["fill"] = _fill
    return environment.get_template("report.html.j2")


def report_html(
    review: Review,
    *,
    title: str | None = None,
    include_private: bool = False,
    stale_days: int = STALE_DAYS,
    now: datetime | None = None,
    language: str | None = None,
) -> str:
    """The report as one HTML document (see the module docs for what it holds).

    ``now`` (default: the current time) is when "not changed in ``stale_days`` days"
    is measured from. Private text is left out unless ``include_private`` is True.
    pdkit's own words are in ``language`` (default English; a language without a
    catalog is English), and ``<html lang>`` says which; dates and numbers are written
    as in English. The title is "Coaching review" (in ``language``) unless given.
    """
    shown_in = shown_language(language)
    t = translator(shown_in)
    shown = page(
        review,
        title=t("Coaching review") if title is None else title,
        include_private=include_private,
        stale_days=stale_days,
        now=now,
        language=shown_in,
    )
    return _template(shown_in).render(page=shown, language=shown_in, direction=direction(shown_in))
