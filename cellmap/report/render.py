"""The brief as a self-contained HTML file (charts inline as SVG, styles inline, nothing fetched)
and as a PDF printed by Chromium.

PDF engine: the Chromium the workbench's browser tests already drive, through Playwright's
``page.pdf`` (no second rendering engine to install and keep in step; full SVG and CSS support).
The binary is ``CELLMAP_CHROMIUM`` or ``/usr/bin/chromium``; the page is loaded from a string, so no
network fetch happens. The synthetic banner and the handling line are printed in every page's
header and footer.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from cellmap.errors import InputError
from cellmap.report.brief import Brief
from cellmap.report.words import confidence_rule, yardstick

SYNTHETIC_BANNER = "SYNTHETIC DATA — fictional persons"
DEFAULT_CHROMIUM = "/usr/bin/chromium"


def svg_text(figure) -> Markup:
    """A Matplotlib figure as inline SVG markup (text kept as text), the figure then closed."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    # text kept as text; ids from a fixed salt and no date: the same brief gives the same bytes
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cellmap"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return Markup(text[text.index("<svg") :])


def handling_line(brief: Brief) -> str:
    """Which compartments the brief draws on, so a reader knows who else may hold it."""
    compartments = ", ".join(brief.compartments) or "none"
    return (
        f"HANDLING: drawn from compartment(s) {compartments}; share only with holders of every one "
        "of them. Grades are Admiralty (reliability A–F, credibility 1–6)."
    )


def render_html(brief: Brief) -> str:
    """The brief as one HTML document."""
    env = Environment(
        loader=PackageLoader("cellmap.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    for section in brief.sections:
        for chart in section.charts:
            if "svg" not in chart:  # drawn once: rendering again reuses it
                chart["svg"] = svg_text(chart.pop("figure"))
    scale = yardstick()["likelihood"]
    return env.get_template("brief.html.j2").render(
        brief=brief,
        banner=SYNTHETIC_BANNER if brief.synthetic else "",
        handling=handling_line(brief),
        scale=scale,
        confidence_reference=yardstick()["confidence"]["reference"],
        confidence_rule=confidence_rule(),
    )


def chromium_path() -> str:
    """The Chromium binary: CELLMAP_CHROMIUM, else /usr/bin/chromium; a clear error when missing."""
    path = os.environ.get("CELLMAP_CHROMIUM", DEFAULT_CHROMIUM)
    if not (Path(path).exists() or shutil.which(path)):
        raise InputError(
            f"the PDF is printed by Chromium, not found at {path} (install Debian's chromium "
            "package or set CELLMAP_CHROMIUM to its path); the HTML brief needs no browser",
            field="--out",
        )
    return path


def _margin_template(text: str, colour: str) -> str:
    from markupsafe import escape

    return (
        '<div style="width:100%;font-family:DejaVu Sans,sans-serif;font-size:8px;text-align:center;'
        f'color:{colour};font-weight:bold;">{escape(text)}</div>'
    )


def pdf_bytes(html: str, brief: Brief) -> bytes:
    """The HTML printed to A4 by headless Chromium, with the banner and handling line on every page."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise InputError(
            "the PDF is printed through Playwright, which is not installed "
            "(pip install 'cellmap[pdf]'); the HTML brief needs no browser",
            field="--out",
        ) from error
    banner = SYNTHETIC_BANNER if brief.synthetic else ""
    header = " · ".join(p for p in (banner, "cellmap brief") if p)
    footer = (
        handling_line(brief)
        + ' — page <span class="pageNumber"></span> of <span class="totalPages"></span>'
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            page = browser.new_page()
            # Nothing leaves the machine: any request the document might make is refused.
            page.route("**/*", lambda route: route.abort())
            page.set_content(html, wait_until="load")
            return page.pdf(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template=_margin_template(header, "#b7791f" if banner else "#4a5568"),
                footer_template=_margin_template("", "#4a5568").replace(
                    "</div>", footer + "</div>"
                ),
                margin={"top": "18mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
            )
        finally:
            browser.close()


def write_brief(brief: Brief, out: Path) -> Path:
    """Write the brief to `out`: .html, or .pdf (printed by Chromium)."""
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise InputError(f"{out.name}: the brief is written as .html or .pdf", field="--out")
    html = render_html(brief)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        out.write_bytes(pdf_bytes(html, brief))
    else:
        out.write_text(html, encoding="utf-8")
    return out
