"""The login page, the one-time login link, logout, and who the caller is (`/api/me`).

The page is plain HTML with a form (no script: the Content-Security-Policy allows none inline). A
successful login starts a server-side session: the cookie holds a random value whose SHA-256 the
store keeps; it is HttpOnly, SameSite=Strict, Secure when served over TLS, and ends after the idle
or absolute time-out, or at logout. A second cookie carries the session's CSRF token for the page's
script to send back in `X-CSRF-Token` (it proves nothing alone: the server compares it with the
session's own).
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from cellmap.auth import Identity
from cellmap.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    _store,
    allow,
    authenticate,
    check_csrf,
    same_origin,
)

router = APIRouter()
api = APIRouter(tags=["meta"])

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cellmap — log in</title>
<link rel="icon" href="/static/favicon.svg"><link rel="stylesheet" href="/static/app.css">
</head><body>
<header class="top"><span class="brand">cellmap</span></header>
<main class="view"><form class="panel login" method="post" action="/login">
<h2>Log in to the workbench</h2>
{message}
<p><label>User name<br><input name="name" autocomplete="username" required maxlength="64"
 value="{name}" autofocus></label></p>
<p><label>Password<br><input name="password" type="password" autocomplete="current-password"
 required maxlength="1024"></label></p>
<p><button type="submit">Log in</button></p>
<p class="muted">Accounts are made by an administrator (<code>cellmap user add</code>).</p>
</form></main></body></html>"""


def login_page(message: str = "", name: str = "", status: int = 200) -> HTMLResponse:
    text = f'<p class="error">{html.escape(message)}</p>' if message else ""
    return HTMLResponse(PAGE.format(message=text, name=html.escape(name)), status_code=status)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def start(request: Request, name: str, target: str = "/") -> RedirectResponse:
    """A new session for `name`, its cookies set on a redirect to `target`."""
    from cellmap.auth import accounts

    with _store(request).transaction() as conn:
        cookie, csrf = accounts.start_session(conn, name)
    settings = request.app.state.security
    response = RedirectResponse(target, status_code=303)
    lifetime = int(settings.absolute_timeout.total_seconds())
    for key, value, http_only in ((SESSION_COOKIE, cookie, True), (CSRF_COOKIE, csrf, False)):
        response.set_cookie(
            key,
            value,
            max_age=lifetime,
            httponly=http_only,
            samesite="strict",
            secure=_secure(request),
            path="/",
        )
    return response


@router.get("/login", include_in_schema=False)
def login_form() -> HTMLResponse:
    return login_page()


@router.post("/login", include_in_schema=False)
def login(request: Request, name: str = Form("", max_length=64), password: str = Form("")):
    from cellmap.auth import accounts

    request.state.login_name = name or "-"
    request.state.audit_params = {"name": name}
    if not same_origin(request):
        return login_page("This form was posted from another site; log in here.", status=403)
    with _store(request).session() as conn:
        identity = accounts.verify_password(conn, name, password[: accounts.MAX_PASSWORD])
    if identity is None:
        return login_page("Wrong user name or password, or the account is disabled.", name, 401)
    return start(request, identity.name)


@router.get("/login/link", include_in_schema=False)
def login_link(request: Request, token: str = ""):
    """A one-time login link (as `cellmap demo` prints): the token works once, then is revoked."""
    from cellmap.auth import accounts

    with _store(request).transaction() as conn:
        identity = accounts.verify_token(conn, token) if token else None
        if identity is not None:
            accounts.revoke_token(conn, token)
    if identity is None:
        return login_page("This login link was used already or has expired.", status=401)
    request.state.login_name = identity.name
    return start(request, identity.name)


@router.post("/logout", include_in_schema=False)
async def logout(request: Request):
    from cellmap.auth import accounts

    identity = await run_in_threadpool(authenticate, request)
    if identity is not None and request.state.via == "cookie":
        await check_csrf(request)

        def end() -> None:
            with _store(request).transaction() as conn:
                accounts.end_session(conn, request.cookies[SESSION_COOKIE])

        await run_in_threadpool(end)
    response = RedirectResponse("/login", status_code=303)
    for key in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(key, path="/", samesite="strict", secure=_secure(request))
    return response


class MeOut(BaseModel):
    name: str
    role: str
    compartments: list[str]


@api.get("/me", response_model=MeOut, summary="Who is logged in: name, role, compartments")
def me(identity: Identity = Depends(allow("viewer"))) -> MeOut:
    return MeOut(name=identity.name, role=identity.role, compartments=sorted(identity.compartments))
