"""The coach's HTML report (pdkit.report): one offline file, every user text escaped, no
script at all, private writing left out unless asked for."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pdkit import report, review
from pdkit.charts import MAX_LINE_POINTS, bar_chart, escape_text, format_value, line_chart
from pdkit.notebooks import add_comment, export_store
from pdkit.report import report_html, text
from pdkit.store import Viewer
from pdkit.testing import COACHING_WORKBOOK as WORKBOOK
from pdkit.testing import DAY, START, Cohort, make_cohort

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "javascript:alert(4)",
)
NASTY = " ".join(PAYLOADS)
# Template syntax typed by a teacher, with HTML: text to show, never code to run.
TEMPLATE_TEXT = "{{ 7*7 }} {% raw %}{{ x }}{% endraw %} {# hush #} <img src=x onerror=alert(5)>"
TEMPLATE_TEXT += " javascript:alert(6) {{ page.title }} {% include 'report.html.j2' %}"
NOW = datetime.fromtimestamp(START + 30 * DAY, tz=timezone.utc)


class Markup(HTMLParser):
    """What a browser would build: tags with attributes, and the text shown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.shown: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.shown.append(data)


def parse(html: str) -> Markup:
    markup = Markup()
    markup.feed(html)
    markup.close()
    return markup


def assert_nothing_executable(html: str) -> None:
    markup = parse(html)
    names = {tag for tag, _ in markup.tags}
    assert not names & {"script", "iframe", "object", "embed", "link", "img", "base", "form"}
    for tag, attrs in markup.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert "javascript:" not in (value or "").lower(), (tag, name, value)
            if name in ("href", "src", "xlink:href"):
                assert (value or "").startswith("#"), (tag, name, value)  # offline: in-page only
    lowered = html.lower()
    for marker in ("<script", "onerror=", "onload=", "javascript:", "http://", "https://"):
        assert marker not in lowered, marker


@pytest.fixture(scope="module")
def nasty_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cohort, Path]]:
    cohort = make_cohort(text=NASTY)
    folder = tmp_path_factory.mktemp("nasty") / "collected"
    # Teachers' own full copies (what "Download my workbook" gives), private items included.
    export_store(cohort.store, WORKBOOK, folder, viewer=Viewer.steward(include_private=True))
    yield cohort, folder
    cohort.store.close()


@pytest.fixture
def nasty(nasty_once: tuple[Cohort, Path], tmp_path: Path) -> tuple[Cohort, Path]:
    cohort, folder = nasty_once
    return cohort, Path(shutil.copytree(folder, tmp_path / "collected"))


@pytest.fixture(scope="module")
def plain_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cohort, Path]]:
    cohort = make_cohort()
    folder = tmp_path_factory.mktemp("plain") / "collected"
    # Teachers' own full copies (what "Download my workbook" gives), private items included.
    export_store(cohort.store, WORKBOOK, folder, viewer=Viewer.steward(include_private=True))
    yield cohort, folder
    cohort.store.close()


@pytest.fixture
def plain(plain_once: tuple[Cohort, Path], tmp_path: Path) -> tuple[Cohort, review.Review]:
    cohort, folder = plain_once
    copy = Path(shutil.copytree(folder, tmp_path / "collected"))
    return cohort, review.load(copy)


def test_text_escapes_markup_and_the_marks_of_attributes_and_urls() -> None:
    assert text("<b a='1'>&") == "&lt;b a&#61;&#x27;1&#x27;&gt;&amp;"
    assert text("javascript:x") == "javascript&#58;x"
    assert text(None) == ""
    assert text(float("nan")) == ""


def test_text_is_the_charts_escaping_rule_with_missing_values_empty() -> None:
    for value in (*PAYLOADS, "a=b: c", "Ünïcödé … ✓"):
        assert text(value) == escape_text(value)
        assert "".join(parse(f"<p>{text(value)}</p>").shown) == value  # shown as typed
    assert text(3) == "3"


def test_the_bar_chart_escapes_labels_and_draws_one_bar_per_item() -> None:
    items = [(PAYLOADS[1], 4), (f"More <talk> {PAYLOADS[3]}", 2), (f"Long {'x' * 60}", 0)]
    svg = bar_chart(items, label=f"Chart {PAYLOADS[0]}", title=f"Title {PAYLOADS[2]}")
    assert_nothing_executable(svg)
    assert "More &lt;talk&gt;" in svg
    assert "<talk>" not in svg
    markup = parse(svg)
    assert [tag for tag, _ in markup.tags].count("rect") == len(items) == svg.count("<rect")
    [svg_attrs] = [dict(attrs) for tag, attrs in markup.tags if tag == "svg"]
    assert svg_attrs["aria-label"] == f"Chart {PAYLOADS[0]}"
    assert svg_attrs["role"] == "img"
    widths = [float(dict(attrs)["width"] or 0) for tag, attrs in markup.tags if tag == "rect"]
    assert widths[0] == 2 * widths[1] > 0 == widths[2]  # bars to scale, the largest full
    shown = "".join(markup.shown)
    assert f"Title {PAYLOADS[2]}" in shown
    assert PAYLOADS[1] in shown
    assert f"More <talk> {PAYLOADS[3]}" in shown
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert len(lines) > len(items)  # the long name takes more than one line …
    assert "".join(lines).endswith(f"Long {'x' * 60}")  # … and is shown in full, never cut
    assert "…" not in shown
    assert f"Long {'x' * 60}: 0" in shown
    assert bar_chart([], label="Nothing") == ""  # the caller says there is nothing to show


def test_the_bar_chart_can_draw_the_dashboards_chart() -> None:
    """What the facilitator's dashboard needs: its label and title, class and colour."""
    rows = [("More talk", 1), ("Another school goal", 1)]
    title = "Goals per school goal: 2 goals"
    summary = "; ".join(f"{name}: {count}" for name, count in rows)
    svg = bar_chart(
        rows, label=title + ". " + summary, title=title, css_class="pdkit-chart", fill="#3b73b9"
    )
    markup = parse(svg)
    [svg_attrs] = [dict(attrs) for tag, attrs in markup.tags if tag == "svg"]
    # As a browser reads it; in the source the colons are encoded (&#58;), like all text.
    assert svg_attrs["aria-label"] == (
        "Goals per school goal: 2 goals. More talk: 1; Another school goal: 1"
    )
    assert svg_attrs["class"] == "pdkit-chart"
    assert [dict(attrs)["fill"] for tag, attrs in markup.tags if tag == "rect"] == ["#3b73b9"] * 2
    assert f"<title>{escape_text(title)}</title>" in svg


@pytest.mark.parametrize("include_private", [False, True])
def test_user_text_is_shown_as_text_never_run(
    nasty: tuple[Cohort, Path], include_private: bool
) -> None:
    cohort, folder = nasty
    ana = next(p for p in folder.glob("*.ipynb") if cohort.ana.id in p.name)
    add_comment(ana, f"Coach says {NASTY}", coach=f"Kim {PAYLOADS[1]}")
    loaded = review.load(folder)
    html = report_html(loaded, title=f"Spring {PAYLOADS[0]}", include_private=include_private)

    assert_nothing_executable(html)
    shown = "".join(parse(html).shown)
    for payload in PAYLOADS:  # every payload is there, as the text people typed
        assert payload in shown
    assert f"Spring {PAYLOADS[0]}" in shown  # the title
    assert f"Ana {NASTY}" in shown  # a display name
    assert f"Kim {PAYLOADS[1]}" in shown  # a coach
    assert (f"I saw silence {NASTY}" in shown) is include_private  # a reflection


def test_the_report_is_one_offline_file_without_script(plain: tuple[Cohort, review.Review]) -> None:
    _, loaded = plain
    html = report_html(loaded, now=NOW)
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<style>") == 1
    assert "<svg" in html
    assert_nothing_executable(html)


def test_private_writing_is_left_out_unless_asked_for(plain: tuple[Cohort, review.Review]) -> None:
    _, loaded = plain
    private_texts = ("I saw silence", "They need time", "Clear goal", "Measure?", "How?")
    shared_texts = ("Most students explain their thinking by March", "Pairs talk more")

    shown = "".join(parse(report_html(loaded, now=NOW)).shown)
    for private in private_texts:
        assert private not in shown
    assert "A conversation with my coach" in shown  # the support a teacher asks for is shared
    for shared in shared_texts:
        assert shared in shown
    assert "are private to each teacher and are not in this report" in shown
    assert "Coaching is not evaluation" in shown

    shown = "".join(parse(report_html(loaded, now=NOW, include_private=True)).shown)
    for private in (*private_texts, "A conversation with my coach", *shared_texts):
        assert private in shown
    assert "This report holds private text." in shown


def test_the_cohort_summary_counts_and_charts(plain: tuple[Cohort, review.Review]) -> None:
    _, loaded = plain
    html = report_html(loaded, now=NOW)
    markup = parse(html)
    shown = "".join(markup.shown)
    assert "Participants3" in shown
    assert "With a goal2" in shown
    assert "With a check-in1" in shown
    assert "Goals revised at least once1" in shown
    charts = [dict(attrs).get("aria-label") for tag, attrs in markup.tags if tag == "svg"]
    assert charts[:2] == ["Goals per school goal", "Progress at the latest check-in"]
    assert "Students do more of the talking and thinking" in shown
    assert "Feedback that moves learning forward" in shown
    assert "4. Nearly there" in shown  # Ana's latest check-in
    assert "2 participants without a check-in yet." in shown


def test_goals_not_revisited_are_listed_with_the_reason(
    plain: tuple[Cohort, review.Review],
) -> None:
    cohort, loaded = plain
    soon = datetime.fromtimestamp(START + 20 * DAY, tz=timezone.utc)
    stale_part = report_html(loaded, now=soon).split("Goals not revisited")[1].split("</ul>")[0]
    shown = "".join(parse(stale_part).shown)
    assert "Ben: one version only (not revised since it was set)" in shown
    assert "Ana" not in shown  # revised on day 7, 13 days before

    later = datetime.fromtimestamp(START + 60 * DAY, tz=timezone.utc)
    stale_part = report_html(loaded, now=later).split("Goals not revisited")[1].split("</ul>")[0]
    shown = "".join(parse(stale_part).shown)
    assert "Ana: not changed since 2026-01-08" in shown
    assert f'href="#t-{cohort.ana.id}"' in stale_part


def test_each_teacher_has_versions_a_timeline_checkins_and_comments(
    plain: tuple[Cohort, review.Review], tmp_path: Path
) -> None:
    cohort, loaded = plain
    folder = tmp_path / "collected"
    ana_file = next(p for p in folder.glob("*.ipynb") if cohort.ana.id in p.name)
    add_comment(ana_file, "Lovely focus on talk.", coach="Kim")
    loaded = review.load(folder)
    html = report_html(loaded, now=NOW)
    section = html.split(f'id="t-{cohort.ana.id}"')[1].split("</section>")[0]
    shown = "".join(parse(section).shown)
    assert "Goal versions" in shown
    assert "first set" in shown
    assert "My goal: More student talk → Most students explain their thinking by March" in shown
    assert "Point A → point B" in shown
    assert section.count('class="check"') == 2  # two check-ins on the timeline
    assert "Point A&#58; goal set on 2026-01-01" in section
    assert "Point B&#58; target 2026-03-31" in section
    assert "Kim, " in shown
    assert "Lovely focus on talk." in shown
    ben = html.split(f'id="t-{cohort.ben.id}"')[1].split("</section>")[0]
    assert "No target date and no check-in yet: nothing to draw." in ben
    assert "<svg" not in ben
    # Cy wrote nothing: one line at the end, not an empty card (issue #14 item 6)
    assert f'<section class="teacher" id="t-{cohort.cy.id}"' not in html
    silent = html.split('id="silent"')[1].split("</p>")[0]
    assert "1 teacher shared nothing yet" in "".join(parse(silent).shown)
    assert f'id="t-{cohort.cy.id}">Cy</span>' in silent
    assert "<svg" not in silent


def test_a_report_of_nothing_is_still_a_page(tmp_path: Path) -> None:
    html = report_html(review.load(tmp_path), now=NOW)
    assert "Participants0" in "".join(parse(html).shown)
    assert_nothing_executable(html)


def test_template_syntax_in_user_text_is_shown_as_typed_never_evaluated(tmp_path: Path) -> None:
    cohort = make_cohort(text=TEMPLATE_TEXT)
    folder = tmp_path / "collected"
    export_store(cohort.store, WORKBOOK, folder, viewer=Viewer.steward(include_private=True))
    cohort.store.close()
    ana = next(p for p in folder.glob("*.ipynb") if cohort.ana.id in p.name)
    add_comment(ana, f"Coach says {TEMPLATE_TEXT}", coach=f"Kim {TEMPLATE_TEXT}")
    html = report_html(
        review.load(folder), title=f"Spring {TEMPLATE_TEXT}", include_private=True, now=NOW
    )

    assert_nothing_executable(html)
    shown = "".join(parse(html).shown)
    assert "49" not in shown  # {{ 7*7 }} was not evaluated
    assert html.count("<!DOCTYPE") == 1  # nor was the include
    for where in ("Spring", "Ana", "Kim", "Coach says", "I saw silence", "Pairs talk more"):
        assert f"{where} {TEMPLATE_TEXT}" in shown, where  # exactly as typed
    assert "{{ 7*7 }}" in html  # the braces as typed (they are not HTML)
    assert "onerror&#61;alert(5)" in html
    assert "javascript&#58;alert(6)" in html


def test_the_templates_hold_no_script_and_no_way_around_the_escaping() -> None:
    folder = Path(report.__file__).parent / "templates"
    sources = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.html.j2")}
    assert "report.html.j2" in sources
    for name, source in sources.items():
        code = re.sub(r"{#.*?#}", "", source, flags=re.DOTALL)  # comments may explain
        assert "<script" not in code.lower(), name
        # Each of these would print a value with a weaker escape, or none.
        for unsafe in ("safe", "autoescape", "join", "format", "~", "markup", "urlize"):
            assert unsafe not in code.lower(), (name, unsafe)


@pytest.mark.parametrize("include_private", [False, True])
def test_the_report_has_no_script_element(
    nasty: tuple[Cohort, Path], include_private: bool
) -> None:
    _, folder = nasty
    html = report_html(review.load(folder), include_private=include_private, now=NOW)
    assert "<script" not in html.lower()
    assert "script" not in {tag for tag, _ in parse(html).tags}
    assert "&lt;script&gt;" in html  # a teacher's text: escaped


def test_charts_import_only_the_standard_library() -> None:
    """pdkit.charts is for widgets too: it never imports pandas (nor jinja2)."""
    script = (
        "import sys, pdkit.charts\n"
        "print(','.join(m for m in ('pandas', 'numpy', 'jinja2') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_the_line_chart_draws_a_to_now_to_b_to_scale_and_escaped() -> None:
    points = [("3 Dec", 40.0), (PAYLOADS[1], 55.0), ("7 Jan", 62.5)]
    svg = line_chart(
        points,
        label=f"Exit ticket {PAYLOADS[0]}",
        baseline=("Point A", 40.0),
        target=(f"Point B {PAYLOADS[2]}", 80.0),
        unit="%",
    )
    assert_nothing_executable(svg)
    markup = parse(svg)
    [svg_attrs] = [dict(attrs) for tag, attrs in markup.tags if tag == "svg"]
    assert svg_attrs["role"] == "img"
    assert svg_attrs["aria-label"] == f"Exit ticket {PAYLOADS[0]}"
    circles = [dict(attrs) for tag, attrs in markup.tags if tag == "circle"]
    assert len(circles) == 3
    ys = [float(c["cy"] or 0) for c in circles]
    xs = [float(c["cx"] or 0) for c in circles]
    assert xs[0] < xs[1] < xs[2]  # in the given order
    assert ys[0] > ys[1] > ys[2]  # higher values drawn higher
    lines = {dict(attrs)["class"]: dict(attrs) for tag, attrs in markup.tags if tag == "line"}
    a_y, b_y = float(lines["baseline"]["y1"] or 0), float(lines["target"]["y1"] or 0)
    assert a_y == ys[0]  # the first value is point A's
    assert b_y < ys[2]  # point B above the latest value
    # Spacing to scale: 40 → 62.5 is 22.5/40 of the way from A to B.
    assert abs((a_y - ys[2]) / (a_y - b_y) - 22.5 / 40) < 0.01
    shown = "".join(markup.shown)
    for words in ("Point A: 40%", f"Point B {PAYLOADS[2]}: 80%", "62.5%", "55%", "3 Dec"):
        assert words in shown
    assert f"{PAYLOADS[1]}: 55%" in shown  # every value in the description too


def test_the_line_chart_leaves_out_what_is_not_a_number_and_says_nothing_for_nothing() -> None:
    svg = line_chart(
        [("a", float("nan")), ("b", float("inf")), ("c", 3.0)], label="x", unit="students"
    )
    assert svg.count("<circle") == 1
    assert "3 students" in svg
    assert line_chart([], label="Nothing") == ""
    assert line_chart([("a", float("nan"))], label="Nothing") == ""
    only_b = line_chart([], label="Target only", target=("Point B", 10.0))
    assert "Point B&#58; 10" in only_b
    assert "<circle" not in only_b
    many = line_chart([(str(i), float(i)) for i in range(1000)], label="Many")
    assert many.count("<circle") == MAX_LINE_POINTS  # the latest, bounded
    assert ">999<" in many


def test_values_read_as_numbers_with_their_unit() -> None:
    assert format_value(62.5, "%") == "62.5%"
    assert format_value(3, "students") == "3 students"
    assert format_value(1234567.891) == "1,234,567.89"
    assert format_value(-0.001) == "0"
    assert format_value(-2.5, "points") == "-2.5 points"
