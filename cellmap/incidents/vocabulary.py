"""The incident categories every incident analysis shares (one definition, used everywhere).

They follow the seed's wording and the scenario's facts F10/F11 (`../shared/scenario.md`):
- an *operation* is an incident of type ``attack`` or ``jail_attack``;
- a *completed operation* is an operation with outcome ``completed`` (the headline counting method);
- *small-scale violence* is ``threat``, ``theft``, ``kidnapping``, ``assassination``, ``ied``, ``extortion``.
"""

from __future__ import annotations

import polars as pl

OPERATION_TYPES: tuple[str, ...] = ("attack", "jail_attack")
SMALL_SCALE_TYPES: tuple[str, ...] = (
    "threat",
    "theft",
    "kidnapping",
    "assassination",
    "ied",
    "extortion",
)
UNSUCCESSFUL_OUTCOMES: tuple[str, ...] = ("failed", "aborted", "foiled")

#: The three ways of counting incidents that the year-on-year comparison shows side by side.
COUNTING_METHODS: dict[str, str] = {
    "completed_operations": "operations (attack, jail_attack) with outcome completed — the headline method",
    "all_operations": "operations (attack, jail_attack) whatever the outcome: completed, failed, aborted, foiled",
    "all_incidents": "every incident, including small-scale violence (threats, thefts, kidnappings, assassinations, IEDs, extortion)",
}


def counting_method_filter(method: str) -> pl.Expr:
    """The Polars filter expression that selects the incidents counted by `method` (a COUNTING_METHODS key)."""
    is_operation = pl.col("type").is_in(list(OPERATION_TYPES))
    if method == "completed_operations":
        return is_operation & (pl.col("outcome") == "completed")
    if method == "all_operations":
        return is_operation
    if method == "all_incidents":
        return (
            pl.col("type").is_null() | pl.col("type").is_not_null()
        )  # a column, so it counts rows in an agg
    raise ValueError(
        f"counting method: unknown {method!r}; expected one of {', '.join(COUNTING_METHODS)}"
    )
