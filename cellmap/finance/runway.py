"""Burn rate and runway of the war chest, with a range, and how they change when an entity is removed.

runway (months) = balance / mean monthly net burn, where net burn = spending − income (transfers between
the funds considered cancel), averaged over the last `window` months of the ledger.

The range combines two uncertainties by Monte Carlo (`draws` draws, fixed seed):
1. month-to-month variation: the window's monthly income and spending are resampled with replacement
   (the bootstrap; Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 6);
2. the estimates themselves: balance, income and spending are each scaled by a factor drawn uniformly
   from [1 − u, 1 + u], u being the amount-weighted relative error of the statements behind them, set by
   the Admiralty credibility of their reports (`RELATIVE_ERROR_BY_CREDIBILITY`: 1 → 0 %, 2 → 10 %,
   3 → 25 %, 4–6 → 50 %). One factor per draw: the errors of one source are assumed to go the same way.
The reported range is the 5th–95th percentile of the draws; a draw with net burn ≤ 0 has unbounded
runway (∞). The gross runway, balance / mean monthly spending, is how long the chest lasts if all
income stopped (extortion and ransom cut off); it gets its range the same way. Cost O(draws · window).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import cast

import numpy as np
import polars as pl

from cellmap.finance.ledger import (
    MONEY,
    ZERO,
    balance_over_time,
    ledger_entries,
    month_range,
    monthly_flows,
)

RELATIVE_ERROR_BY_CREDIBILITY = {1: 0.0, 2: 0.10, 3: 0.25, 4: 0.50, 5: 0.50, 6: 0.50}
UNKNOWN_ERROR = 0.50


def _relative_error(amounts: pl.Series, credibilities: pl.Series) -> float:
    """Amount-weighted mean of the relative error that each statement's credibility implies."""
    weights = amounts.cast(pl.Float64).abs().to_numpy()
    errors = (
        credibilities.cast(pl.Int64)
        .replace_strict(
            RELATIVE_ERROR_BY_CREDIBILITY, default=UNKNOWN_ERROR, return_dtype=pl.Float64
        )
        .fill_null(UNKNOWN_ERROR)
        .to_numpy()
    )
    return float((weights * errors).sum() / weights.sum()) if weights.sum() > 0 else 0.0


def runway(
    funds: pl.DataFrame,
    entries: pl.DataFrame,
    fund_ids: list[int] | None = None,
    as_of: dt.date | None = None,
    window: int = 12,
    draws: int = 4000,
    seed: int = 0,
    opening_credibility: dict[int, int] | None = None,
    burn_entries: pl.DataFrame | None = None,
) -> dict:
    """Runway of the funds `fund_ids` together (all when None) at the end of month `as_of` (default: the
    ledger's last month). Returns balance, mean monthly income, spending and net burn (exact Decimals, mean
    rounded to the cent), runway_months (central), runway_low/high (5th/95th percentiles), the window's
    months, the relative errors used, and the parameters. The balance comes from `entries`; the burn from
    `burn_entries` when given (the flows expected from now on, e.g. without a removed entity)."""
    chosen_funds = funds if fund_ids is None else funds.filter(pl.col("fund_id").is_in(fund_ids))
    chosen_ids = chosen_funds["fund_id"].implode()
    chosen_entries = entries.filter(pl.col("fund_id").is_in(chosen_ids))
    burn_source = (
        chosen_entries
        if burn_entries is None
        else burn_entries.filter(pl.col("fund_id").is_in(chosen_ids))
    )
    flows = monthly_flows(burn_source, list(chosen_funds["fund_id"]))
    if as_of is None:
        history = monthly_flows(chosen_entries, list(chosen_funds["fund_id"]))
        as_of = cast(dt.date, history["month"].max()) if history.height else None
    if as_of is None:
        as_of = cast(dt.date, flows["month"].max()) if flows.height else dt.date.today()
    as_of_month = as_of.replace(day=1)
    balances = balance_over_time(chosen_funds, chosen_entries)
    total = balances.filter(pl.col("fund_id").is_null() & (pl.col("month") <= as_of_month))
    balance = (
        total["balance"][-1]
        if total.height
        else sum(chosen_funds["opening_balance"].to_list(), ZERO)
    )
    recent = _window(flows, chosen_entries, as_of_month, window)
    months = recent.height
    income_sum = sum(recent["income"].to_list(), ZERO)
    spending_sum = sum(recent["spending"].to_list(), ZERO)
    cent = Decimal("0.01")
    mean_income = (income_sum / months).quantize(cent) if months else ZERO
    mean_spending = (spending_sum / months).quantize(cent) if months else ZERO
    mean_burn = mean_spending - mean_income
    central = float(balance / mean_burn) if mean_burn > 0 else math.inf
    gross = float(balance / mean_spending) if mean_spending > 0 else math.inf

    window_entries = burn_source.filter(
        pl.col("date").dt.truncate("1mo").is_in(recent["month"].implode())
    )
    income_entries = window_entries.filter(pl.col("direction") == "income")
    spending_entries = window_entries.filter(pl.col("direction") == "spending")
    if opening_credibility is None and "opening_balance_grade" in chosen_funds.columns:
        opening_credibility = {
            f: int(g[1:])
            for f, g in chosen_funds.select("fund_id", "opening_balance_grade").iter_rows()
            if g
        }
    credibility_of_opening = opening_credibility or {}
    u_balance = _relative_error(
        chosen_funds["opening_balance"],
        pl.Series(
            [credibility_of_opening.get(f) for f in chosen_funds["fund_id"].to_list()],
            dtype=pl.Int64,
        ),
    )
    u_income = _relative_error(income_entries["amount"], income_entries["credibility"])
    u_spending = _relative_error(spending_entries["amount"], spending_entries["credibility"])

    low = high = central
    gross_low = gross_high = gross
    if months:
        rng = np.random.default_rng(seed)
        income = recent["income"].cast(pl.Float64).to_numpy()
        spending = recent["spending"].cast(pl.Float64).to_numpy()
        picks = rng.integers(0, months, size=(draws, months))
        f_balance = rng.uniform(1 - u_balance, 1 + u_balance, draws)
        f_income = rng.uniform(1 - u_income, 1 + u_income, draws)
        f_spending = rng.uniform(1 - u_spending, 1 + u_spending, draws)
        drawn_spending = f_spending * spending[picks].mean(axis=1)
        burn = drawn_spending - f_income * income[picks].mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            months_left = np.where(burn > 0, float(balance) * f_balance / burn, np.inf)
            gross_left = np.where(
                drawn_spending > 0, float(balance) * f_balance / drawn_spending, np.inf
            )
        low, high = _percentile_range(months_left)
        gross_low, gross_high = _percentile_range(gross_left)
    return {
        "as_of": as_of_month,
        "balance": balance,
        "mean_income": mean_income,
        "mean_spending": mean_spending,
        "mean_burn": mean_burn,
        "runway_months": central,
        "runway_low": low,
        "runway_high": high,
        "gross_runway_months": gross,
        "gross_runway_low": gross_low,
        "gross_runway_high": gross_high,
        "window_months": months,
        "relative_error": {"balance": u_balance, "income": u_income, "spending": u_spending},
        "draws": draws,
        "seed": seed,
        "funds": chosen_funds.height,
    }


def _percentile_range(draws: np.ndarray) -> tuple[float, float]:
    # Order statistics (method "lower"/"higher") so that infinite draws give ∞, not NaN.
    return float(np.quantile(draws, 0.05, method="lower")), float(
        np.quantile(draws, 0.95, method="higher")
    )


def _window(flows: pl.DataFrame, history: pl.DataFrame, last: dt.date, window: int) -> pl.DataFrame:
    """The `window` months ending with `last` (not before the ledger's first month), zero-filled."""
    first_dates = history["date"].drop_nulls()
    if first_dates.is_empty():
        return flows.clear()
    index = last.year * 12 + last.month - 1 - (window - 1)
    first = cast(dt.date, first_dates.min())
    start = max(dt.date(index // 12, index % 12 + 1, 1), first.replace(day=1))
    if start > last:
        return flows.clear()
    months = pl.DataFrame({"month": month_range(start, last)})
    zero = pl.lit(ZERO).cast(MONEY)
    return months.join(
        flows.select("month", "income", "spending"), on="month", how="left"
    ).with_columns(pl.col("income").fill_null(zero), pl.col("spending").fill_null(zero))


def without_entity(
    entity_id: int, funds: pl.DataFrame, payments: pl.DataFrame, users: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """What is left when `entity_id` is removed (killed, arrested, seized): (funds, ledger entries for the
    balance, ledger entries for the burn from now on).

    Rule: a removed fund is gone with its balance; a removed person, cell or organisation takes with it
    the funds that only it uses (frozen). Past flows stay in the balances of the funds that remain (the
    money moved), while the burn is recomputed without every payment the removed entity made or received
    and without the frozen funds. O(p).
    """
    lost_funds = (
        users.group_by("fund_id")
        .agg(pl.col("entity_id").alias("holders"))
        .filter(pl.col("holders").list.contains(entity_id) & (pl.col("holders").list.len() == 1))[
            "fund_id"
        ]
    )
    kept_funds = funds.filter(
        (pl.col("fund_id") != entity_id) & ~pl.col("fund_id").is_in(lost_funds.implode())
    )
    kept_users = users.filter(pl.col("entity_id") != entity_id)
    balance_entries = ledger_entries(kept_funds, payments, kept_users)
    gone = pl.Series([entity_id, *lost_funds.to_list()], dtype=pl.Int64).implode()
    kept_payments = payments.filter(
        ~pl.col("source_id").is_in(gone) & ~pl.col("target_id").is_in(gone)
    )
    return kept_funds, balance_entries, ledger_entries(kept_funds, kept_payments, kept_users)


def removal_effects(
    candidates: list[int],
    funds: pl.DataFrame,
    payments: pl.DataFrame,
    users: pl.DataFrame,
    as_of: dt.date | None = None,
    window: int = 12,
    draws: int = 2000,
    seed: int = 0,
) -> pl.DataFrame:
    """Runway of all funds now and with each candidate removed (`without_entity`), side by side:
    entity_id, balance, mean_burn, runway_months (low, high), gross_runway_months (low, high),
    change_months and gross_change_months (null when a side is unbounded)."""
    base_entries = ledger_entries(funds, payments, users)
    base = runway(funds, base_entries, as_of=as_of, window=window, draws=draws, seed=seed)
    as_of = base["as_of"]
    rows = [{"entity_id": None, **_row(base), "change_months": 0.0, "gross_change_months": 0.0}]
    for entity_id in candidates:
        kept_funds, balance_entries, burn_entries = without_entity(
            entity_id, funds, payments, users
        )
        after = runway(
            kept_funds,
            balance_entries,
            as_of=as_of,
            window=window,
            draws=draws,
            seed=seed,
            burn_entries=burn_entries,
        )
        rows.append(
            {
                "entity_id": entity_id,
                **_row(after),
                "change_months": _difference(after["runway_months"], base["runway_months"]),
                "gross_change_months": _difference(
                    after["gross_runway_months"], base["gross_runway_months"]
                ),
            }
        )
    return pl.DataFrame(rows, schema_overrides={"balance": MONEY, "mean_burn": MONEY})


def _difference(after: float, before: float) -> float | None:
    if math.isinf(after) and math.isinf(before):
        return 0.0
    change = after - before
    return change if math.isfinite(change) else None


def _row(result: dict) -> dict:
    return {
        k: result[k]
        for k in (
            "balance",
            "mean_burn",
            "runway_months",
            "runway_low",
            "runway_high",
            "gross_runway_months",
            "gross_runway_low",
            "gross_runway_high",
        )
    }
