"""The workbench application: `create_app(store)` builds the FastAPI app (JSON API + bundled front end).

The front end is a single page built from npm packages into `cellmap/web/static/` (see
`frontend/`); nothing is fetched from a CDN or any other host at run time.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from cellmap.errors import InputError
from cellmap.web.api import (
    cases,
    entities,
    imports,
    meta,
    network,
    overview,
    review,
    simulate,
    timeline,
)
from cellmap.web.api import map as map_api
from cellmap.web.static_files import STATIC
from cellmap.web.workbench import Workbench

API_DESCRIPTION = """cellmap's workbench API. Every fact carries the report it comes from and that report's
Admiralty grade (source reliability A–F, information credibility 1–6). Bad parameters give a 4xx whose
`detail` starts with the parameter's name."""


def create_app(store: Any) -> FastAPI:
    """The workbench on `store` (a `cellmap.store.Store`, already initialised)."""
    app = FastAPI(
        title="cellmap workbench",
        version="0.1.0",
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": name}
            for name in (
                "meta",
                "overview",
                "network",
                "entities",
                "map",
                "timeline",
                "simulate",
                "review",
                "import",
                "cases",
            )
        ],
    )
    app.state.workbench = Workbench(store)
    if store is not None:  # score the review queue now, not on the analyst's first visit
        review.warm_queue(app.state.workbench)
    for router in (
        meta.router,
        overview.router,
        network.router,
        entities.router,
        map_api.router,
        timeline.router,
        simulate.router,
        review.router,
        imports.router,
        cases.router,
    ):
        app.include_router(router, prefix="/api")

    @app.exception_handler(InputError)
    async def input_error(_request: Request, error: InputError) -> JSONResponse:
        return JSONResponse(
            status_code=422, content={"detail": error.describe(), "error": error.to_dict()}
        )

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(STATIC.joinpath("index.html").read_text(encoding="utf-8"))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        # Swagger UI from the bundled npm package: the machine may be offline, and nothing is fetched.
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="cellmap workbench API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(str(STATIC.joinpath("favicon.svg")), media_type="image/svg+xml")

    return app
