"""The Brief button: the analyst's brief (`cellmap.report`) for the caller's current filters, as an
HTML or PDF download. Computed from the caller's workbench store, which reads only the compartments
the caller holds; a heavy analysis (the caller's limit and the server's time-out apply)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from cellmap import model as schema
from cellmap.auth import Identity
from cellmap.errors import InputError
from cellmap.report.brief import ROBUST_SAMPLES
from cellmap.web.api.params import bad_parameter, parse_date, parse_grade, workbench
from cellmap.web.security import allow, heavy
from cellmap.web.workbench import Workbench

router = APIRouter(tags=["brief"])
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@router.get(
    "/brief",
    summary="The analyst's brief for these filters (HTML or PDF download)",
    response_class=Response,
    responses={200: {"content": {MEDIA["html"]: {}, MEDIA["pdf"]: {}}}},
)
def brief(
    request: Request,
    format: Literal["html", "pdf"] = Query("html", description="html or pdf"),
    min_grade: str | None = Query(
        None, max_length=2, description="minimum Admiralty grade, e.g. B3"
    ),
    start: str | None = Query(None, max_length=10, description="from this date (ISO)"),
    end: str | None = Query(None, max_length=10, description="to this date (ISO)"),
    focus: str | None = Query(
        None, max_length=200, description="a person (id or key) whose contacts are traced"
    ),
    robust: int = Query(
        ROBUST_SAMPLES,
        ge=0,
        le=schema.robust_sample_bounds()["api_max"],
        description="samples for how sure the key players and cells are (0: none)",
    ),
    wb: Workbench = Depends(workbench),
    caller: Identity = Depends(allow("viewer")),
) -> Response:
    from cellmap.report import BriefFilters, build_brief, pdf_bytes, render_html

    first, last = parse_date(start, "start"), parse_date(end, "end")
    if first and last and first > last:
        raise bad_parameter("start", f"{first} is after end {last}")
    filters = BriefFilters(
        min_grade=parse_grade(min_grade), start=first, end=last, focus=focus or None
    )

    def compute() -> bytes:
        try:
            document = build_brief(wb.store, filters, robust=robust)
            html = render_html(document)
            return pdf_bytes(html, document) if format == "pdf" else html.encode("utf-8")
        except InputError as error:
            raise bad_parameter(error.field or "brief", error.reason) from None

    body = wb.cached(("brief", filters, robust, format), lambda: heavy(request, caller, compute))
    return Response(
        body,
        media_type=MEDIA[format],
        # a download: the file is self-contained (styles and charts inline) and opened from disk
        headers={"content-disposition": f'attachment; filename="cellmap-brief.{format}"'},
    )
