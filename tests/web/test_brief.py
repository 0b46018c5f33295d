"""The analyst's brief (`cellmap report`, GET /api/brief, the workbench's Brief button) on the demo
scenario of the browser tests' server (one demo store per session, shared)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import httpx
import polars as pl
import pytest
from typer.testing import CliRunner

from cellmap.cli import app
from cellmap.incidents.trends import change_level, rate_ratio_interval
from cellmap.model import Grade
from cellmap.report import BriefFilters, build_brief, render_html
from cellmap.store import views

from .conftest import chromium_available, screenshot

pytestmark = [pytest.mark.xdist_group("web-browser")]

BANNER = "SYNTHETIC DATA — fictional persons"
SECTIONS = ("bluf", "judgements", "players", "structure", "strike", "coherence", "trend")
SECTIONS += ("finance", "contacts", "annex")
SAMPLES = 4  # robustness samples of the whole-store brief


class Outline(HTMLParser):
    """Section ids, annex rows (key → grade) and every cited item (its text and citation links)."""

    CITED = {"li", "figcaption", "tr"}

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.annex: dict[str, str] = {}
        self.items: list[dict] = []  # {tag, text, links}
        self._open: list[dict] = []
        self._judgement = 0
        self._row: list[str] | None = None
        self._in_annex = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
            if attrs["id"] == "annex":
                self._in_annex = True
        if self._in_annex and tag == "tr":
            self._row = []
        elif tag in self.CITED or (tag == "div" and attrs.get("class") == "judgement"):
            self._open.append({"tag": tag, "text": "", "links": []})
        if tag == "a" and attrs.get("href", "").startswith("#") and self._open:
            self._open[-1]["links"].append(attrs["href"][1:])

    def handle_data(self, data):
        if self._row is not None:
            self._row.append(data)
        for item in self._open:
            item["text"] += data

    def handle_endtag(self, tag):
        if self._row is not None and tag == "tr":
            cells = [c for c in self._row if c.strip()]
            if cells and cells[0] != "report":
                self.annex[cells[0]] = cells[1]
            self._row = None
        elif self._open and (
            tag == self._open[-1]["tag"] or (tag == "div" and self._open[-1]["tag"] == "div")
        ):
            item = self._open.pop()
            if item["tag"] == "tr" and "reports" in item["text"] and not item["links"]:
                return  # a table's header row
            self.items.append(item)


def outline(html: str) -> Outline:
    parsed = Outline()
    parsed.feed(html)
    return parsed


@pytest.fixture(scope="module")
def demo(live_demo):
    return live_demo.store


@pytest.fixture(scope="module")
def whole(demo):
    """The brief of the whole demo store (4 robustness samples: few, to keep the test cheap), and
    its HTML."""
    brief = build_brief(demo, robust=SAMPLES)
    return brief, render_html(brief)


def test_brief_has_its_sections_and_every_figure_cites_a_graded_report(demo, whole):
    brief, html = whole
    parsed = outline(html)
    assert set(SECTIONS) <= parsed.ids
    assert {"banner-top", "banner-bottom"} <= parsed.ids and BANNER in html
    assert "HANDLING: drawn from compartment(s) default;" in html
    # self-contained: no script, no stylesheet or image fetched from anywhere
    assert "<script" not in html and not re.search(r'(src|href)="(https?:|//)', html)
    with demo.session() as conn:
        grades = dict(views.reports(conn).select("report_key", "grade").iter_rows())
    # the annex: every cited report with the grade the store holds for it
    assert len(parsed.annex) == len(brief.annex) > 100
    assert all(grades[key] == grade for key, grade in parsed.annex.items())
    judgements = [i for i in parsed.items if i["tag"] == "div"]
    figures = [i for i in parsed.items if i["tag"] != "div"]
    assert len(judgements) >= 4 and len(figures) > 50
    for item in parsed.items:
        assert item["links"], f"no report cited: {item['text'][:120]!r}"
        assert all(key in parsed.annex for key in item["links"]), item["text"][:120]
    # likelihood words are the ICD 203 ones, with their ranges
    words = re.findall(r'class="words">([a-z ]+)</span> \((\d+)–(\d+)%\)', html)
    assert words and all(w in ("likely", "very likely", "almost certain") for w, _, _ in words)


def test_the_trend_is_counted_independently_and_its_likelihood_matches_the_interval(demo, whole):
    brief, _html = whole
    with demo.session() as conn:
        incidents = views.incidents(conn)
    completed = incidents.filter(
        pl.col("type").is_in(["attack", "jail_attack"]) & (pl.col("outcome") == "completed")
    )
    per_year = dict(completed.group_by(pl.col("date").dt.year()).len().iter_rows())
    trend = next(s for s in brief.sections if s.key == "trend")
    line = trend.figures[0].text
    year = int(re.search(r"in (\d{4})", line.split(",")[1]).group(1))
    assert line.startswith(
        f"completed operations: {per_year[year - 1]} in {year - 1}, {per_year[year]} in {year}"
    )
    # the level is the one-sided confidence at which the exact interval just reaches "no change"
    level = change_level(per_year[year - 1], per_year[year])
    two_sided = 2 * level - 1
    low, high = rate_ratio_interval(per_year[year - 1], per_year[year], two_sided)
    assert (high if per_year[year] < per_year[year - 1] else low) == pytest.approx(1, abs=1e-6)


def test_filters_change_the_brief(demo, whole):
    brief, _ = whole
    focus = "P-fee6e9a98bde"
    filtered = build_brief(
        demo,
        BriefFilters(
            min_grade="B2", start=dt.date(2021, 1, 1), end=dt.date(2023, 12, 31), focus=focus
        ),
    )
    html = render_html(filtered)
    assert "filters: grades B2 or better, from 2021-01-01 to 2023-12-31, focus " + focus in html
    # every report cited meets the grade; fewer than without the filter
    assert all(Grade.parse(r["grade"]).meets("B2") for r in filtered.annex)
    assert 0 < len(filtered.annex) < len(brief.annex)
    # the trend compares the last full year inside the window
    trend = next(s for s in filtered.sections if s.key == "trend")
    assert "in 2022, " in trend.figures[0].text and "in 2023 (" in trend.figures[0].text
    # the contacts are the focus person's, and the first judgement is about them
    contacts = next(s for s in filtered.sections if s.key == "contacts")
    assert focus in contacts.tables[0]["title"]
    assert focus in filtered.judgements[0].text
    # a caller holding no compartment of the store gets a brief from nothing
    empty = build_brief(demo.scoped(frozenset({"elsewhere"})))
    assert empty.annex == [] and empty.judgements == []
    assert "compartment(s) none" in render_html(empty)


def _shares(table: dict, column: str) -> list[int]:
    """A table's share column ("75% of 4") as whole percentages, checked to be counts of SAMPLES."""
    at = table["columns"].index(column)
    values = []
    for cells, _ in table["rows"]:
        percent, samples = re.fullmatch(r"(\d+)% of (\d+)", cells[at]).groups()
        assert int(samples) == SAMPLES and int(percent) % (100 // SAMPLES) == 0
        values.append(int(percent))
    return values


def test_brief_states_how_sure_each_key_player_and_cell_is(demo, whole):
    brief, html = whole
    players = next(s for s in brief.sections if s.key == "players")
    shares = _shares(players.tables[0], "key player in (samples)")
    assert len(shares) == 5
    held = sum(p >= 50 for p in shares)
    sure = next(f.text for f in players.figures if f.text.startswith("How sure:"))
    # the sentence counts the table's rows, and names what a sample draws
    assert (
        f"{held} of the 5 key players stay key players in at least half of {SAMPLES} samples"
        in sure
    )
    for drawn in ("by its grade", "automatic merges", "missing ties", "unseen members"):
        assert drawn in sure
    assert f"{held} of the 5 stay key players" in brief.judgements[0].text
    coherence = next(s for s in brief.sections if s.key == "coherence")
    cells = coherence.tables[0]
    cell_shares = _shares(cells, "coordinated in (samples)")
    labels = [row[0][1] for row in cells["rows"]]
    coordinated = [
        p for p, label in zip(cell_shares, labels, strict=True) if label == "coordinated"
    ]
    stay = f"{sum(p >= 50 for p in coordinated)} of the {len(coordinated)} stay coordinated"
    assert any(stay in f.text for f in coherence.figures)
    assert "key player in (samples)" in html and "coordinated in (samples)" in html
    # under a grade filter no samples are drawn (they draw reports by grade), and the brief says so
    graded = build_brief(demo, BriefFilters(min_grade="A2"), robust=20)
    players = next(s for s in graded.sections if s.key == "players")
    assert "no samples under a grade filter" in players.note
    assert all("samples" not in " ".join(t["columns"]) for s in graded.sections for t in s.tables)


def test_report_command_writes_a_pdf_with_banner_and_handling_on_every_page(demo, tmp_path):
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is required in CI")
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    if not chromium_available():
        pytest.skip("Chromium not found")
    out = tmp_path / "brief.pdf"
    result = CliRunner().invoke(
        app, ["report", "--db", demo.url, "--out", str(out), "--min-grade", "C3"]
    )
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) > 3
    for number, page in enumerate(pages, 1):
        assert BANNER in page, f"page {number} has no banner"
        assert "HANDLING: drawn from compartment(s) default" in page, f"page {number}"
        assert f"page {number} of {len(pages)}" in page
    assert "Bottom line up front" in pages[0] and "Annex: sources" in text
    # bad input: a clear error naming the option, nothing written
    bad = CliRunner().invoke(app, ["report", "--db", demo.url, "--out", str(tmp_path / "b.doc")])
    assert bad.exit_code == 2 and "--out" in bad.output and not (tmp_path / "b.doc").exists()
    bad = CliRunner().invoke(
        app, ["report", "--db", demo.url, "--out", str(tmp_path / "c.html"), "--robust", "-1"]
    )
    assert bad.exit_code != 0 and "--robust" in bad.output and not (tmp_path / "c.html").exists()


def test_api_brief_is_a_download_bounded_and_checked(live_demo):
    get = lambda **params: httpx.get(  # noqa: E731
        live_demo.url + "/api/brief", params=params, headers=live_demo.headers, timeout=300
    )
    answer = get()
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="cellmap-brief.html"'
    assert "Bottom line up front" in answer.text and BANNER in answer.text
    assert get(min_grade="Z9").json()["detail"].startswith("min_grade:")
    assert get(focus="nobody").json()["detail"].startswith("focus:")
    assert get(start="2024-01-01", end="2023-01-01").json()["detail"].startswith("start:")
    assert get(focus="x" * 201).status_code == 422
    assert get(robust=51).status_code == 422 and get(robust=-1).status_code == 422


@pytest.mark.browser
def test_brief_button_downloads_the_brief_for_the_current_filters(page, tmp_path):
    page.goto(f"{page.base_url}/#/overview")
    page.wait_for_selector("#brief-html")
    with page.expect_download(timeout=300_000) as download:
        page.click("#brief-html")
    path = tmp_path / "brief.html"
    download.value.save_as(path)
    html = path.read_text(encoding="utf-8")
    assert "Bottom line up front" in html and BANNER in html
    assert "filters: all grades, all dates" in html
    # the same document as a reader sees it (set as the page's content: nothing is fetched)
    page.set_content(html)
    page.wait_for_selector("#annex")
    screenshot(page, "brief")
