"""Who is calling, and may they: the workbench's one authentication hook and its hardening.

Every API route depends on `allow(ROLE)` (directly, or through `workbench_for(ROLE)`); the app writes
the role each route demands into the OpenAPI document (`x-min-role`), where a test checks every route
for it. A caller is identified, in this order, by `Authorization: Bearer TOKEN`, by the user-name
header of a trusted single-sign-on proxy (only from the proxy's addresses), or by the session cookie
of the login page. A state-changing request made with the cookie must carry the session's CSRF token
(`X-CSRF-Token`, or the `csrf_token` form field) and an Origin of this server.

The hardening (`install`): a host allow-list against DNS rebinding; security headers (a
Content-Security-Policy of `default-src 'self'` with `frame-ancestors 'none'`, nosniff,
Referrer-Policy); request bodies counted while they stream (413 before the limit is passed, not
after spooling); one audit row per API request, naming the entities the answer returned.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Depends, HTTPException, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cellmap.auth import Identity, roles
from cellmap.web.workbench import Workbench

SESSION_COOKIE = "cellmap_session"
CSRF_COOKIE = "cellmap_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on form posts
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


@dataclass
class Security:
    """A deployment's settings (`cellmap serve` options)."""

    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    absolute_timeout: dt.timedelta = dt.timedelta(hours=12)
    proxy_header: str | None = None  # e.g. X-Forwarded-User, set by an authenticating proxy
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks the proxy connects from
    max_body: int = 256 * 1024 * 1024
    heavy_per_user: int = 2  # heavy analyses one user may run at once (429 beyond)
    heavy_total: int = 4  # heavy analyses the server runs at once (503 beyond)
    heavy_timeout: float = 120.0  # seconds a heavy analysis may take before a 503
    _networks: list = field(default_factory=list, repr=False)

    def __post_init__(self):
        self._networks = [ipaddress.ip_network(p, strict=False) for p in self.trusted_proxies]

    def from_proxy(self, address: str | None) -> bool:
        if not address or not self._networks:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._networks)


def _settings(request: Request) -> Security:
    return request.app.state.security


def _store(request: Request):
    return request.app.state.workbench.store.base


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def authenticate(request: Request) -> Identity | None:
    """The caller's identity (cached on the request), or None."""
    if hasattr(request.state, "identity"):
        return request.state.identity
    from cellmap.auth import accounts

    settings, identity, via = _settings(request), None, None
    header = request.headers.get("authorization", "")
    with _store(request).transaction() as conn:
        if header.lower().startswith("bearer "):
            identity, via = accounts.verify_token(conn, header[7:].strip()), "token"
        elif settings.proxy_header and request.headers.get(settings.proxy_header):
            if settings.from_proxy(client_address(request)):
                name = request.headers[settings.proxy_header].strip()
                identity, via = accounts.identity_of(conn, name), "proxy"
        elif cookie := request.cookies.get(SESSION_COOKIE):
            found = accounts.session_identity(
                conn, cookie, settings.idle_timeout, settings.absolute_timeout
            )
            if found:
                identity, request.state.csrf = found
                via = "cookie"
    request.state.identity, request.state.via = identity, via
    return identity


def same_origin(request: Request) -> bool:
    """The request's Origin (or, without one, its Referer) is this server."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return False
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return origin == own or origin.startswith(own + "/")


async def check_csrf(request: Request) -> None:
    """For a cookie-authenticated state-changing request: the session's token and our Origin."""
    if request.method in SAFE_METHODS or getattr(request.state, "via", None) != "cookie":
        return
    if not same_origin(request):
        raise HTTPException(status_code=403, detail="origin: cross-origin request refused")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        field = (await request.form()).get("csrf_token")
        sent = field if isinstance(field, str) else None
    if not sent or sent != getattr(request.state, "csrf", None):
        raise HTTPException(status_code=403, detail="csrf_token: missing or wrong")


class Allow:
    """The dependency every route declares: a caller holding at least `role`."""

    def __init__(self, role: str):
        self.role = role

    async def __call__(self, request: Request) -> Identity:
        from starlette.concurrency import run_in_threadpool

        identity = await run_in_threadpool(authenticate, request)
        if identity is None:
            raise HTTPException(
                status_code=401,
                detail="login required (a session, a Bearer token, or the trusted proxy)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        await check_csrf(request)
        if not identity.may(self.role):
            raise HTTPException(status_code=403, detail=f"role: needs {self.role} or above")
        return identity


_ALLOW = {role: Allow(role) for role in roles()}
_WORKBENCHES: dict[str, Callable] = {}


def allow(role: str) -> Allow:
    return _ALLOW[role]


def workbench_for(role: str) -> Callable:
    """A dependency: the workbench as the caller (holding at least `role`) may see it."""
    if role not in _WORKBENCHES:

        def scoped(request: Request, identity: Identity = Depends(allow(role))) -> Workbench:
            wb = request.app.state.workbench.for_caller(identity.visibility)
            wb.refresh()  # another process may have written to the store
            return wb

        _WORKBENCHES[role] = scoped
    return _WORKBENCHES[role]


def min_role(route) -> str | None:
    """The role a route's dependencies demand (the highest, when several), or None."""
    found = []

    def walk(dependant):
        call = dependant.call
        if isinstance(call, Allow):
            found.append(call.role)
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    return max(found, key=roles().index) if found else None


# --- heavy analyses: a per-user limit, a server-wide limit, a time-out --------------------------


class HeavyGate:
    def __init__(self):
        self.lock = threading.Lock()
        self.running: dict[str, int] = {}
        self.total = 0

    def run(self, settings: Security, user: str, compute: Callable):
        """`compute()` unless the user already runs `heavy_per_user` heavy analyses (429) or the
        server `heavy_total` (503); a computation longer than `heavy_timeout` answers 503 and goes on
        in the background (its result lands in the cache, so a retry finds it)."""
        from concurrent.futures import ThreadPoolExecutor
        from concurrent.futures import TimeoutError as Late

        with self.lock:
            if self.running.get(user, 0) >= settings.heavy_per_user:
                raise HTTPException(
                    429,
                    "busy: you already run a heavy analysis; retry when it ends",
                    headers={"Retry-After": "10"},
                )
            if self.total >= settings.heavy_total:
                raise HTTPException(
                    503, "busy: the server runs its limit of heavy analyses", {"Retry-After": "10"}
                )
            self.running[user] = self.running.get(user, 0) + 1
            self.total += 1

        def release():
            with self.lock:
                self.running[user] -= 1
                self.total -= 1

        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(compute)
        future.add_done_callback(lambda _f: release())
        pool.shutdown(wait=False)
        try:
            return future.result(timeout=settings.heavy_timeout)
        except Late:
            raise HTTPException(
                503,
                f"timeout: the analysis takes more than {settings.heavy_timeout:g} s; it goes on, "
                "retry later",
                headers={"Retry-After": "30"},
            ) from None


def heavy(request: Request, identity: Identity, compute: Callable):
    return request.app.state.heavy.run(_settings(request), identity.name, compute)


# --- middlewares --------------------------------------------------------------------------------


class Hardening:
    """Host allow-list, body size counted while streaming, security headers (pure ASGI)."""

    def __init__(self, app: ASGIApp, settings: Security):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if hostname not in self.settings.allowed_hosts and "*" not in self.settings.allowed_hosts:
            await PlainTextResponse("host: not served here", status_code=400)(scope, receive, send)
            return
        limit = self.settings.max_body
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        seen, rejected, started = 0, False, False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if rejected and not message.get("_cellmap_limit"):
                return  # the 413 is out; the app's own answer is dropped
            if message["type"] == "http.response.start":
                started = True
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                if scope["path"].startswith("/api/"):
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            message.pop("_cellmap_limit", None)
            await send(message)

        async def counted() -> Message:
            nonlocal seen, rejected
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit and not rejected:
                    # Answer 413 at once, while the body streams, and tell the app the client left.
                    if not started:
                        await _too_large(limit)(scope, receive, _marked(send_with_headers))
                    rejected = True
                    return {"type": "http.disconnect"}
            return message

        try:
            await self.app(scope, counted, send_with_headers)
        except Exception:
            if not rejected:
                raise


def _marked(send):
    async def marked(message: Message) -> None:
        await send({**message, "_cellmap_limit": True})

    return marked


def _too_large(limit: int) -> Response:
    return JSONResponse(
        {"detail": f"files: upload larger than {limit // (1024 * 1024)} MiB"}, status_code=413
    )


ENTITY_KEYS = {
    "id",
    "entity_id",
    "source",
    "target",
    "source_id",
    "target_id",
    "left_id",
    "right_id",
}


def returned_entities(payload, limit: int = 50_000) -> set[int]:
    """Entity ids named in an answer (fields such as id, source, target, left_id), for the audit."""
    found: set[int] = set()
    stack = [payload]
    while stack and len(found) < limit:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ENTITY_KEYS and isinstance(value, int) and not isinstance(value, bool):
                    found.add(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))
    return found


def audit_middleware(app):
    """One audit row per API request (and login/logout): who, from where, what, which entities."""

    @app.middleware("http")
    async def audit_request(request: Request, call_next):
        response = await call_next(request)
        path = request.url.path
        if not (path.startswith("/api/") or path in ("/login", "/logout", "/login/link")):
            return response
        identity = getattr(request.state, "identity", None)
        actor = identity.name if identity else (getattr(request.state, "login_name", None) or "-")
        body = b""
        entities = None
        if response.headers.get("content-type", "").startswith("application/json"):
            async for chunk in response.body_iterator:
                body += chunk
            try:
                entities = returned_entities(json.loads(body)) if request.method == "GET" else None
            except ValueError:
                entities = None
            replaced = Response(content=body, status_code=response.status_code)
            replaced.raw_headers = list(response.raw_headers)  # every header, cookies included
            response = replaced
        params = dict(request.query_params)
        params.update(getattr(request.state, "audit_params", {}))
        from starlette.concurrency import run_in_threadpool

        from cellmap.auth import audit

        await run_in_threadpool(
            audit.record_now,
            _store(request),
            actor,
            f"{request.method} {path}"[:255],
            params=params or None,
            entities=entities,
            address=client_address(request),
            status=response.status_code,
        )
        return response

    return audit_request
