"""CLI commands for: The war chest: ledger, burn rate, runway (`cellmap finance ledger|runway`).

Both read the store (``--db``), print Rich tables, or JSON with ``--json`` (money as decimal strings).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import typer

from cellmap import model
from cellmap.cliutil import (
    DbOption,
    GradeOption,
    JsonOption,
    banner,
    cell_text,
    date_option,
    emit_json,
    err,
    fail,
    frame_table,
    load_case,
    out,
    user_errors,
)
from cellmap.errors import InputError
from cellmap.lazy import lazy_module

if TYPE_CHECKING:
    import polars as pl

    from cellmap.store.case import CaseFrames
else:  # imported by the first command that uses it (fast start)
    pl = lazy_module("polars")

# Its help line is kept with the other groups' in cellmap/cli.py (GROUPS).
app = typer.Typer(no_args_is_help=True)

REMOVAL_ROLES = model.role_group("finance")


def _months(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:,.1f}"


def _ledger_parts(frames: CaseFrames):
    from cellmap.finance.ledger import Ledger

    book = Ledger.read(frames.entities, frames.properties, frames.relations)
    return book.funds, book.payments, book.users, book.entries


@app.command("ledger")
def ledger_command(
    db: str | None = DbOption,
    until: str | None = typer.Option(
        None, "--until", help="Only entries up to this date (YYYY-MM-DD)."
    ),
    monthly: bool = typer.Option(
        False, "--monthly", help="Also show the monthly balance and burn of all funds."
    ),
    min_grade: str | None = GradeOption,
    json_out: bool = JsonOption,
) -> None:
    """Per fund: opening balance, income by kind (extortion, ransom, other), spending by kind (stipends,
    operations, other), transfers, closing balance — exact decimal money."""
    from cellmap.finance import ledger

    with user_errors():
        frames, synthetic = load_case(db, min_grade)
        funds, payments, users, entries = _ledger_parts(frames)
    summary = ledger.ledger_summary(funds, entries, date_option(until, "--until"))
    balances = (
        ledger.balance_over_time(funds, entries).filter(pl.col("fund_id").is_null()).drop("fund_id")
    )
    flows = ledger.monthly_flows(entries)
    unassigned = ledger.unassigned_payments(funds, payments, users)
    if json_out:
        emit_json(
            {
                "synthetic": synthetic,
                "funds": summary.to_dicts(),
                "monthly": balances.join(
                    flows.select("month", "burn"), on="month", how="left"
                ).to_dicts(),
                "unassigned_payments": unassigned.height,
            }
        )
        return
    banner(synthetic)
    summary = summary.with_columns(pl.col("fund").str.slice(0, 28))
    income = summary.select(
        "fund",
        pl.col("opening_balance").alias("opening"),
        pl.col("income_extortion").alias("extortion"),
        pl.col("income_ransom").alias("ransom"),
        pl.col("income_other").alias("other"),
        pl.col("income_transfer").alias("transfers in"),
    )
    spending = summary.select(
        "fund",
        pl.col("spending_stipends").alias("stipends"),
        pl.col("spending_operations").alias("operations"),
        pl.col("spending_other").alias("other"),
        pl.col("spending_transfer").alias("transfers out"),
        pl.col("closing_balance").alias("closing"),
    )
    out().print(frame_table("War chest: opening balance and income by kind (USD)", income))
    out().print(frame_table("War chest: spending by kind and closing balance (USD)", spending))
    if monthly:
        out().print(
            frame_table(
                "All funds by month (transfers between funds cancel)",
                balances.join(flows.select("month", "burn"), on="month", how="left"),
            )
        )
    if unassigned.height:
        err.print(
            f"{unassigned.height:,} payments touch no fund (directly or through a `use`) and are not in the ledger"
        )


@app.command()
def runway(
    db: str | None = DbOption,
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Balance at the end of this month (default: last month of the ledger).",
    ),
    window: int = typer.Option(12, "--window", help="Months of history for the burn rate."),
    without: list[str] | None = typer.Option(
        None,
        "--without",
        help="Entity (id or key) to remove; repeatable. "
        "Default: every financier, logistics leader, "
        "fund holder and fund.",
    ),
    top: int = typer.Option(15, "--top", help="Removal effects shown (largest first)."),
    draws: int = typer.Option(4000, "--draws", help="Monte Carlo draws for the range."),
    min_grade: str | None = GradeOption,
    json_out: bool = JsonOption,
) -> None:
    """Monthly burn rate and runway in months (5–95 % range from month-to-month variation and the grades of
    the estimates), and how the runway changes if a financier, logistics leader or cell fund is removed."""
    from cellmap.finance import runway as r

    with user_errors():
        frames, synthetic = load_case(db, min_grade)
        funds, payments, users, entries = _ledger_parts(frames)
        candidates = (
            [frames.resolve_entity(w) for w in without]
            if without
            else _default_candidates(frames, funds)
        )
    if funds.is_empty():
        fail(InputError("the store holds no funds", field="fund"))
    as_of_date = date_option(as_of, "--as-of")
    with err.status(f"runway with {len(candidates)} removals…"):
        base = r.runway(funds, entries, as_of=as_of_date, window=window, draws=draws)
        effects = r.removal_effects(
            candidates,
            funds,
            payments,
            users,
            as_of=base["as_of"],
            window=window,
            draws=max(200, draws // 4),
        )
    names = frames.names()
    effects = effects.with_columns(
        pl.col("entity_id")
        .replace_strict(names, default=None, return_dtype=pl.Utf8)
        .alias("removed")
    )
    roles = _roles(frames)
    effects = effects.with_columns(
        pl.col("entity_id").replace_strict(roles, default="", return_dtype=pl.Utf8).alias("role")
    )
    if json_out:
        emit_json({"synthetic": synthetic, "runway": base, "removals": effects.to_dicts()})
        return
    banner(synthetic)
    out().print(
        f"as of {base['as_of']:%Y-%m}: balance {cell_text(base['balance'])} USD across {base['funds']} funds; "
        f"over the last {base['window_months']} months income {cell_text(base['mean_income'])}, spending "
        f"{cell_text(base['mean_spending'])}, net burn {cell_text(base['mean_burn'])} USD a month"
    )
    unbounded = " — unbounded: income covers spending" if math.isinf(base["runway_months"]) else ""
    out().print(
        f"runway: {_months(base['runway_months'])} months{unbounded} (5–95 %: {_months(base['runway_low'])} to "
        f"{_months(base['runway_high'])}; relative errors from grades: "
        + ", ".join(f"{k} ±{v:.0%}" for k, v in base["relative_error"].items())
        + ")"
    )
    out().print(
        f"gross runway (if all income stopped): {_months(base['gross_runway_months'])} months (5–95 %: "
        f"{_months(base['gross_runway_low'])} to {_months(base['gross_runway_high'])})"
    )
    shown = (
        effects.filter(pl.col("entity_id").is_not_null())
        .with_columns(
            pl.col("change_months").abs().fill_null(float("inf")).alias("size"),
            pl.col("gross_change_months").abs().fill_null(float("inf")).alias("gross_size"),
        )
        .sort("size", "gross_size", descending=True)
        .head(top)
    )
    out().print(
        frame_table(
            "Runway if removed (months; gross = if income stopped)",
            shown.select(
                pl.col("removed").str.slice(0, 30),
                "role",
                "balance",
                "mean_burn",
                pl.col("runway_months").alias("runway"),
                pl.col("change_months").alias("change"),
                pl.col("gross_runway_months").alias("gross"),
                pl.col("gross_change_months").alias("gross change"),
            ),
        )
    )


def _default_candidates(frames: CaseFrames, funds: pl.DataFrame) -> list[int]:
    """Every financier and logistics leader, every person who holds a fund (`use`), and every fund."""
    people = frames.relations.filter(
        (pl.col("kind") == "membership") & pl.col("role").is_in(list(REMOVAL_ROLES))
    )
    holders = frames.relations.filter(
        (pl.col("kind") == "use")
        & (pl.col("target_kind") == "fund")
        & (pl.col("source_kind") == "person")
    )
    return sorted(
        set(people["source_id"].to_list())
        | set(holders["source_id"].to_list())
        | set(funds["fund_id"].to_list())
    )


def _roles(frames: CaseFrames) -> dict[int, str]:
    held = frames.relations.filter((pl.col("kind") == "membership") & pl.col("role").is_not_null())
    roles = held.group_by("source_id").agg(pl.col("role").unique().sort().str.join("/"))
    kinds = dict(frames.entities.select("canonical_id", "kind").iter_rows())
    result = {k: v for k, v in roles.iter_rows()}
    result.update({k: "fund" for k, v in kinds.items() if v == "fund"})
    return result
