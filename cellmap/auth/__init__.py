"""Accounts, roles, compartments, sessions and tokens, and the audit chain (a team deployment).

Who a caller is (`Identity`: a user name, a role, the compartments held) is decided here; what the
caller may see is decided once, by the store's views, from `Identity.visibility`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cellmap.errors import InputError
from cellmap.model import schema_file


@cache
def access() -> dict:
    """The access model as data (`cellmap/schema/access.yaml`)."""
    return schema_file("access.yaml")


def roles() -> list[str]:
    """Role names from least to most privileged."""
    return [role["name"] for role in access()["roles"]]


def default_compartment() -> str:
    return access()["default_compartment"]


def role_rank(role: str) -> int:
    return roles().index(role)


def check_role(role: str, field: str = "role") -> str:
    if role not in roles():
        raise InputError(f"{role!r} is not one of: {', '.join(roles())}", field=field)
    return role


def check_compartment(name: str, field: str = "compartment") -> str:
    name = (name or "").strip()
    if not re.match(access()["compartment_pattern"], name):
        raise InputError(
            f"{name[:70]!r} is not a compartment name (letters, digits, '-', '_', '.'; "
            "at most 64 characters)",
            field=field,
        )
    return name


def parse_compartments(text: str | None, field: str = "compartments") -> tuple[str, ...]:
    """'A,B' → ('A', 'B'), each checked; empty → ()."""
    names = [p.strip() for p in (text or "").split(",") if p.strip()]
    return tuple(sorted({check_compartment(n, field) for n in names}))


def check_user_name(name: str, field: str = "name") -> str:
    if not re.match(access()["user_pattern"], name or ""):
        raise InputError(
            f"{(name or '')[:70]!r} is not a user name (letters, digits, '-', '_', '.', '@'; "
            "at most 64 characters)",
            field=field,
        )
    return name


@dataclass(frozen=True)
class Identity:
    """A caller: who, with which role, holding which compartments."""

    name: str
    role: str
    compartments: frozenset[str]

    def may(self, role: str) -> bool:
        return role_rank(self.role) >= role_rank(role)

    @property
    def visibility(self) -> frozenset[str]:
        return self.compartments
