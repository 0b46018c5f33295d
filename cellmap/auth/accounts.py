"""Users, their compartments, API tokens and web sessions, stored in the store's own tables.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second recommended option:
t=3, m=64 MiB, p=4). Tokens and session cookies are 256-bit random strings; only their SHA-256 is
stored, so a copy of the database lets no one log in.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, select, update

from cellmap.auth import Identity, check_compartment, check_role, check_user_name
from cellmap.errors import InputError
from cellmap.store import tables as t

_hasher = PasswordHasher()  # Argon2id
MIN_PASSWORD = 12
MAX_PASSWORD = 1024


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password: a login for an unknown user costs as much as one for a known user.
    Made on the first login, not at import (an Argon2 hash cost every CLI command 0.45 s of CPU)."""
    return _hasher.hash(secrets.token_urlsafe(16))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"is shorter than {MIN_PASSWORD} characters", field="password")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"is longer than {MAX_PASSWORD} characters", field="password")
    return _hasher.hash(password)


@dataclass
class User:
    id: int
    name: str
    role: str
    disabled: bool
    compartments: tuple[str, ...]
    has_password: bool

    def identity(self) -> Identity:
        return Identity(self.name, self.role, frozenset(self.compartments))

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "role": self.role,
            "compartments": list(self.compartments),
            "disabled": self.disabled,
            "password": self.has_password,
        }


def _user_row(conn: Connection, name: str):
    u = t.app_user.c
    row = conn.execute(
        select(u.id, u.name, u.role, u.disabled, u.password_hash).where(u.name == name)
    ).first()
    if row is None:
        raise InputError(f"no user {name!r}", field="name")
    return row


def _compartments_of(conn: Connection, user_id: int) -> tuple[str, ...]:
    c = t.user_compartment.c
    return tuple(
        conn.execute(
            select(c.compartment).where(c.user_id == user_id).order_by(c.compartment)
        ).scalars()
    )


def get_user(conn: Connection, name: str) -> User:
    row = _user_row(conn, name)
    return User(
        row.id,
        row.name,
        row.role,
        bool(row.disabled),
        _compartments_of(conn, row.id),
        row.password_hash is not None,
    )


def list_users(conn: Connection) -> list[User]:
    names = conn.execute(select(t.app_user.c.name).order_by(t.app_user.c.name)).scalars()
    return [get_user(conn, name) for name in list(names)]


def add_user(
    conn: Connection,
    name: str,
    role: str,
    compartments: tuple[str, ...] = (),
    password: str | None = None,
) -> User:
    check_user_name(name)
    check_role(role)
    if conn.execute(select(t.app_user.c.id).where(t.app_user.c.name == name)).first():
        raise InputError(f"user {name!r} exists already", field="name")
    stamp = now()
    conn.execute(
        insert(t.app_user).values(
            name=name,
            role=role,
            password_hash=hash_password(password) if password is not None else None,
            disabled=False,
            created_at=stamp,
            changed_at=stamp,
        )
    )
    grant(conn, name, compartments)
    return get_user(conn, name)


def set_password(conn: Connection, name: str, password: str) -> None:
    row = _user_row(conn, name)
    conn.execute(
        update(t.app_user)
        .where(t.app_user.c.id == row.id)
        .values(password_hash=hash_password(password), changed_at=now())
    )
    end_sessions(conn, row.id)


def set_role(conn: Connection, name: str, role: str) -> None:
    row = _user_row(conn, name)
    conn.execute(
        update(t.app_user)
        .where(t.app_user.c.id == row.id)
        .values(role=check_role(role), changed_at=now())
    )


def disable(conn: Connection, name: str, disabled: bool = True) -> None:
    """Disable (or enable) a user: their sessions end and their tokens stop working."""
    row = _user_row(conn, name)
    conn.execute(
        update(t.app_user)
        .where(t.app_user.c.id == row.id)
        .values(disabled=disabled, changed_at=now())
    )
    if disabled:
        end_sessions(conn, row.id)


def grant(conn: Connection, name: str, compartments: tuple[str, ...] | list[str]) -> None:
    row = _user_row(conn, name)
    held = set(_compartments_of(conn, row.id))
    new = sorted({check_compartment(c) for c in compartments} - held)
    if new:
        conn.execute(
            insert(t.user_compartment), [{"user_id": row.id, "compartment": c} for c in new]
        )


def revoke(conn: Connection, name: str, compartments: tuple[str, ...] | list[str]) -> None:
    row = _user_row(conn, name)
    c = t.user_compartment.c
    conn.execute(
        delete(t.user_compartment).where(
            c.user_id == row.id, c.compartment.in_([check_compartment(x) for x in compartments])
        )
    )


def verify_password(conn: Connection, name: str, password: str) -> Identity | None:
    """The user's identity when the password is theirs and the account is enabled, else None."""
    dummy = _dummy_hash()  # before the lookup: the first login costs the same for any name
    u = t.app_user.c
    row = conn.execute(select(u.id, u.password_hash, u.disabled).where(u.name == name)).first()
    stored = row.password_hash if row is not None and row.password_hash else dummy
    try:
        ok: bool = _hasher.verify(stored, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None or row.password_hash is None or row.disabled:
        return None
    return get_user(conn, name).identity()


def identity_of(conn: Connection, name: str) -> Identity | None:
    """An enabled user's identity by name (for a name set by a trusted proxy), else None."""
    try:
        user = get_user(conn, name)
    except InputError:
        return None
    return None if user.disabled else user.identity()


# --- API tokens ------------------------------------------------------------------------------------


def issue_token(conn: Connection, name: str, expires: dt.timedelta | None = None) -> str:
    """A new API token for `name`; it is returned once and stored only as its SHA-256."""
    row = _user_row(conn, name)
    token = "cm_" + secrets.token_urlsafe(32)
    stamp = now()
    conn.execute(
        insert(t.api_token).values(
            user_id=row.id,
            token_hash=digest(token),
            created_at=stamp,
            expires_at=stamp + expires if expires else None,
        )
    )
    return token


def revoke_tokens(conn: Connection, name: str) -> int:
    row = _user_row(conn, name)
    k = t.api_token.c
    return conn.execute(
        update(t.api_token)
        .where(k.user_id == row.id, k.revoked_at.is_(None))
        .values(revoked_at=now())
    ).rowcount


def revoke_token(conn: Connection, token: str) -> None:
    k = t.api_token.c
    conn.execute(
        update(t.api_token)
        .where(k.token_hash == digest(token), k.revoked_at.is_(None))
        .values(revoked_at=now())
    )


def verify_token(conn: Connection, token: str) -> Identity | None:
    k, u = t.api_token.c, t.app_user.c
    row = conn.execute(
        select(u.name, u.disabled, k.expires_at, k.revoked_at)
        .join(t.app_user, u.id == k.user_id)
        .where(k.token_hash == digest(token))
    ).first()
    if row is None or row.disabled or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now():
        return None
    return get_user(conn, row.name).identity()


# --- web sessions ----------------------------------------------------------------------------------


def start_session(conn: Connection, name: str) -> tuple[str, str]:
    """A new session for `name`: (cookie value, CSRF token). Only the cookie's SHA-256 is stored."""
    row = _user_row(conn, name)
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    stamp = now()
    conn.execute(
        insert(t.web_session).values(
            user_id=row.id,
            session_hash=digest(cookie),
            csrf_token=csrf,
            created_at=stamp,
            seen_at=stamp,
        )
    )
    return cookie, csrf


def session_identity(
    conn: Connection, cookie: str, idle: dt.timedelta, absolute: dt.timedelta
) -> tuple[Identity, str] | None:
    """(identity, CSRF token) of a live session, touching it; None when unknown, ended, idle too long
    or older than the absolute limit, or when its user is disabled."""
    s, u = t.web_session.c, t.app_user.c
    row = conn.execute(
        select(s.id, s.csrf_token, s.created_at, s.seen_at, s.ended_at, u.name, u.disabled)
        .join(t.app_user, u.id == s.user_id)
        .where(s.session_hash == digest(cookie))
    ).first()
    stamp = now()
    if row is None or row.ended_at is not None or row.disabled:
        return None
    if stamp - row.seen_at > idle or stamp - row.created_at > absolute:
        conn.execute(update(t.web_session).where(s.id == row.id).values(ended_at=stamp))
        return None
    conn.execute(update(t.web_session).where(s.id == row.id).values(seen_at=stamp))
    return get_user(conn, row.name).identity(), row.csrf_token


def end_session(conn: Connection, cookie: str) -> None:
    s = t.web_session.c
    conn.execute(
        update(t.web_session)
        .where(s.session_hash == digest(cookie), s.ended_at.is_(None))
        .values(ended_at=now())
    )


def end_sessions(conn: Connection, user_id: int) -> None:
    s = t.web_session.c
    conn.execute(
        update(t.web_session)
        .where(s.user_id == user_id, s.ended_at.is_(None))
        .values(ended_at=now())
    )
