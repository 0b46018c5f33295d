"""The analyst's brief (`cellmap report`, the workbench's Brief button): sections built from the
analysis packages' results, rendered from the template in `templates/` as HTML or PDF."""

from cellmap.report.brief import Brief, BriefFilters, build_brief
from cellmap.report.render import pdf_bytes, render_html, write_brief

__all__ = ["Brief", "BriefFilters", "build_brief", "pdf_bytes", "render_html", "write_brief"]
