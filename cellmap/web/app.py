"""The workbench application: `create_app(store)` builds the FastAPI app (JSON API + bundled front end).

The front end is a single page built from npm packages into `cellmap/web/static/` (see
`frontend/`); nothing is fetched from a CDN or any other host at run time.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from cellmap.errors import InputError
from cellmap.web import login
from cellmap.web.api import (
    brief,
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
from cellmap.web.security import (
    Hardening,
    HeavyGate,
    Security,
    allow,
    audit_middleware,
    authenticate,
    min_role,
)
from cellmap.web.static_files import STATIC
from cellmap.web.workbench import Workbench

# Swagger UI's start-up, as a file: the Content-Security-Policy runs no inline script.
SWAGGER_INIT = """window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout", deepLinking: true});"""
SWAGGER_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>cellmap workbench API</title><link rel="icon" href="/static/favicon.svg">
<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head><body><div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script>
</body></html>"""

API_DESCRIPTION = """cellmap's workbench API. Every fact carries the report it comes from and that report's
Admiralty grade (source reliability A–F, information credibility 1–6). Bad parameters give a 4xx whose
`detail` starts with the parameter's name."""


def state_roles(router) -> None:
    """Write the role each route demands, read from its dependencies, into the OpenAPI document."""
    for route in router.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            route.openapi_extra = {**(route.openapi_extra or {}), "x-min-role": min_role(route)}


def create_app(store: Any, security: Security | None = None) -> FastAPI:
    """The workbench on `store` (a `cellmap.store.Store`, already initialised); `security` holds the
    deployment's settings (allowed hosts, time-outs, trusted proxy, limits)."""
    app = FastAPI(
        title="cellmap workbench",
        version="0.1.0",
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
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
                "brief",
            )
        ],
    )
    app.state.workbench = Workbench(store)
    if store is not None:  # score the review queue now, not on the analyst's first visit
        review.warm_queue(app.state.workbench)
    app.state.security = security = security or Security()
    app.state.heavy = HeavyGate()
    app.include_router(login.router)
    state_roles(login.api)
    app.include_router(login.api, prefix="/api")
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
        brief.router,
    ):
        state_roles(router)
        app.include_router(router, prefix="/api")

    @app.exception_handler(InputError)
    async def input_error(_request: Request, error: InputError) -> JSONResponse:
        # A file is named by its base name: a server's paths (temporary folders) are not shown.
        if error.file:
            error = InputError(
                error.reason, file=PurePath(error.file).name, line=error.line, field=error.field
            )
        return JSONResponse(
            status_code=422, content={"detail": error.describe(), "error": error.to_dict()}
        )

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    async def logged_in(request: Request) -> bool:
        return await run_in_threadpool(authenticate, request) is not None

    @app.get("/", include_in_schema=False)
    async def index(request: Request):
        if not await logged_in(request):
            return RedirectResponse("/login", status_code=303)
        return HTMLResponse(STATIC.joinpath("index.html").read_text(encoding="utf-8"))

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(_caller=Depends(allow("viewer"))) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request):
        # Swagger UI from the bundled npm package: the machine may be offline, and nothing is fetched.
        if not await logged_in(request):
            return RedirectResponse("/login", status_code=303)
        return HTMLResponse(SWAGGER_PAGE)

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init():
        from fastapi.responses import Response

        return Response(SWAGGER_INIT, media_type="text/javascript")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(str(STATIC.joinpath("favicon.svg")), media_type="image/svg+xml")

    audit_middleware(app)
    app.add_middleware(Hardening, settings=security)  # outermost: hosts and sizes before anything
    return app
