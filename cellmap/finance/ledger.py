"""The war chest ledger: funds, their opening balances, income and spending by kind, balance over time.

Money is exact: amounts are decimal strings in the store, Polars ``Decimal(38, 2)`` here, and Python
``Decimal`` in results — never floats. A payment (relation kind ``payment``, attrs amount, currency,
date, payment_kind) moves money into a fund when the fund is its target and out of it when the fund is
its source. A payment with no fund at either end is charged to the fund its payer ``use``s and credited
to the fund its payee uses (when that entity uses exactly one fund); otherwise it is left unassigned and
reported by `unassigned_payments`. Transfers between funds appear in both funds and cancel in the total.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import polars as pl

from cellmap.errors import InputError

MONEY = pl.Decimal(38, 2)
ZERO = Decimal("0.00")
_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")

#: payment_kind -> ledger category, by direction (the issue's income and spending kinds).
INCOME_CATEGORIES = {"extortion": "extortion", "ransom": "ransom", "transfer": "transfer"}
SPENDING_CATEGORIES = {"stipend": "stipends", "operations": "operations", "transfer": "transfer"}
INCOME_KINDS = ("extortion", "ransom", "other")
SPENDING_KINDS = ("stipends", "operations", "other")

_PAYMENT_ATTRS = pl.Struct(
    {
        "amount": pl.Utf8,
        "currency": pl.Utf8,
        "date": pl.Utf8,
        "payment_kind": pl.Utf8,
        "incident": pl.Utf8,
    }
)


def _check_amounts(values: pl.Series, what: str, ids: pl.Series) -> None:
    for value, ident in zip(values.to_list(), ids.to_list(), strict=False):
        if value is None or not _AMOUNT.match(value.strip()):
            raise InputError(
                f"not a decimal amount with at most 2 decimals: {value!r}", line=ident, field=what
            )


def _partial_iso_to_date(column: str) -> pl.Expr:
    """'2021', '2021-03' or '2021-03-04' -> the first day of that year, month or the day itself."""
    text = pl.col(column).str.strip_chars()
    padded = (
        pl.when(text.str.len_chars() == 4)
        .then(text + "-01-01")
        .when(text.str.len_chars() == 7)
        .then(text + "-01")
        .otherwise(text.str.slice(0, 10))
    )
    return padded.str.to_date("%Y-%m-%d", strict=False)


def _best_statement(properties: pl.DataFrame, prop: str) -> pl.DataFrame:
    """Per entity, the value of `prop` from the best-graded report (reliability, then credibility, then
    latest statement), and whether other reports disagree."""
    rows = properties.filter(pl.col("prop") == prop).with_row_index("order")
    return (
        rows.sort(
            "entity_id",
            "reliability",
            "credibility",
            pl.col("order"),
            descending=[False, False, False, True],
        )
        .group_by("entity_id", maintain_order=True)
        .agg(
            pl.col("value").first().alias(prop),
            (pl.col("value").n_unique() > 1).alias(f"{prop}_disputed"),
            pl.col("grade").first().alias(f"{prop}_grade")
            if "grade" in rows.columns
            else pl.lit(None).alias(f"{prop}_grade"),
        )
    )


def funds_frame(entities: pl.DataFrame, properties: pl.DataFrame) -> pl.DataFrame:
    """One row per fund: fund_id, fund (name), currency, opening_balance (Decimal), opening_date,
    opening_balance_grade, opening_balance_disputed. Inputs: the entities and properties views."""
    funds = (
        entities.filter(pl.col("kind") == "fund")
        .select(pl.col("canonical_id").alias("fund_id"), pl.col("name").alias("fund"))
        .unique("fund_id", keep="first", maintain_order=True)
    )
    props = properties.filter(pl.col("entity_id").is_in(funds["fund_id"].implode()))
    out = funds
    for prop in ("opening_balance", "opening_date", "currency"):
        out = out.join(
            _best_statement(props, prop), left_on="fund_id", right_on="entity_id", how="left"
        )
    balances = out["opening_balance"].fill_null("0")
    _check_amounts(balances, "opening_balance", out["fund_id"])
    return out.with_columns(
        balances.cast(MONEY).alias("opening_balance"),
        _partial_iso_to_date("opening_date").alias("opening_date"),
        pl.col("currency").fill_null("USD"),
    ).select(
        "fund_id",
        "fund",
        "currency",
        "opening_balance",
        "opening_date",
        "opening_balance_grade",
        "opening_balance_disputed",
    )


def payments_frame(relations: pl.DataFrame) -> pl.DataFrame:
    """Payment relations with their attributes parsed: relation_id, source_id, target_id, source_kind,
    target_kind, date, amount (Decimal), currency, payment_kind, incident, report_id, grade, credibility."""
    payments = relations.filter(pl.col("kind") == "payment")
    parsed = payments.with_columns(
        pl.col("attrs").fill_null("{}").str.json_decode(_PAYMENT_ATTRS).alias("a")
    ).with_columns(
        pl.col("a").struct.field("amount").alias("amount_text"),
        pl.col("a").struct.field("currency").fill_null("USD").alias("currency"),
        pl.col("a")
        .struct.field("date")
        .fill_null(pl.col("valid_from").cast(pl.Utf8))
        .alias("date_text"),
        pl.col("a").struct.field("payment_kind").fill_null("other").alias("payment_kind"),
        pl.col("a").struct.field("incident").alias("incident"),
    )
    _check_amounts(parsed["amount_text"], "amount", parsed["relation_id"])
    return parsed.with_columns(
        pl.col("amount_text").str.strip_chars().cast(MONEY).alias("amount"),
        _partial_iso_to_date("date_text").alias("date"),
    ).select(
        "relation_id",
        "source_id",
        "target_id",
        "source_kind",
        "target_kind",
        "date",
        "amount",
        "currency",
        "payment_kind",
        "incident",
        "report_id",
        "grade",
        "credibility",
    )


def fund_users(relations: pl.DataFrame) -> pl.DataFrame:
    """entity_id -> fund_id for entities that `use` exactly one fund (cells and persons that hold a war chest)."""
    uses = relations.filter((pl.col("kind") == "use") & (pl.col("target_kind") == "fund"))
    single = (
        uses.group_by("source_id")
        .agg(pl.col("target_id").unique().alias("funds"))
        .filter(pl.col("funds").list.len() == 1)
    )
    return single.select(
        pl.col("source_id").alias("entity_id"), pl.col("funds").list.first().alias("fund_id")
    )


def ledger_entries(
    funds: pl.DataFrame, payments: pl.DataFrame, users: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One ledger line per (payment, fund side): fund_id, date, relation_id, direction ('income'|'spending'),
    category, amount (Decimal, positive), signed (Decimal, + income / − spending), counterparty_id,
    payment_kind, currency, grade, credibility. O(p) joins."""
    fund_ids = funds["fund_id"].implode()
    users = (
        users
        if users is not None
        else pl.DataFrame(schema={"entity_id": pl.Int64, "fund_id": pl.Int64})
    )
    by_user = users.filter(~pl.col("entity_id").is_in(fund_ids) & pl.col("fund_id").is_in(fund_ids))
    # A fund at either end settles the payment; only payments with no fund at either end go through `use`.
    direct = pl.col("source_id").is_in(fund_ids) | pl.col("target_id").is_in(fund_ids)
    with_funds = (
        payments.join(
            by_user.rename({"entity_id": "source_id", "fund_id": "payer_fund"}),
            on="source_id",
            how="left",
        )
        .join(
            by_user.rename({"entity_id": "target_id", "fund_id": "payee_fund"}),
            on="target_id",
            how="left",
        )
        .with_columns(
            pl.when(pl.col("source_id").is_in(fund_ids))
            .then(pl.col("source_id"))
            .when(~direct)
            .then(pl.col("payer_fund"))
            .alias("out_fund"),
            pl.when(pl.col("target_id").is_in(fund_ids))
            .then(pl.col("target_id"))
            .when(~direct)
            .then(pl.col("payee_fund"))
            .alias("in_fund"),
        )
    )
    # A payment between two entities sharing one fund moves nothing in or out of it.
    with_funds = with_funds.filter(
        pl.col("out_fund").is_null()
        | pl.col("in_fund").is_null()
        | (pl.col("out_fund") != pl.col("in_fund"))
    )
    common = ["date", "relation_id", "amount", "payment_kind", "currency", "grade", "credibility"]
    income = with_funds.filter(pl.col("in_fund").is_not_null()).select(
        pl.col("in_fund").alias("fund_id"),
        *common,
        pl.col("source_id").alias("counterparty_id"),
        pl.lit("income").alias("direction"),
        pl.col("payment_kind").replace_strict(INCOME_CATEGORIES, default="other").alias("category"),
    )
    spending = with_funds.filter(pl.col("out_fund").is_not_null()).select(
        pl.col("out_fund").alias("fund_id"),
        *common,
        pl.col("target_id").alias("counterparty_id"),
        pl.lit("spending").alias("direction"),
        pl.col("payment_kind")
        .replace_strict(SPENDING_CATEGORIES, default="other")
        .alias("category"),
    )
    entries = pl.concat([income, spending])
    return entries.with_columns(
        pl.when(pl.col("direction") == "income")
        .then(pl.col("amount"))
        .otherwise(-pl.col("amount"))
        .cast(MONEY)
        .alias("signed")
    ).sort("fund_id", "date", "relation_id")


@dataclass(frozen=True)
class Ledger:
    """The war chest read from the store's frames: funds, payments, who uses which fund, and the
    ledger lines they make (see `ledger_entries`)."""

    funds: pl.DataFrame
    payments: pl.DataFrame
    users: pl.DataFrame
    entries: pl.DataFrame

    @classmethod
    def read(
        cls, entities: pl.DataFrame, properties: pl.DataFrame, relations: pl.DataFrame
    ) -> Ledger:
        """The one ledger pipeline (the finance commands, the demo's and the web's headlines)."""
        funds = funds_frame(entities, properties)
        payments = payments_frame(relations)
        users = fund_users(relations)
        return cls(funds, payments, users, ledger_entries(funds, payments, users))

    def unassigned(self) -> pl.DataFrame:
        return unassigned_payments(self.funds, self.payments, self.users)


def unassigned_payments(
    funds: pl.DataFrame, payments: pl.DataFrame, users: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Payments that touch no fund, directly or through a `use` — shown so that nothing disappears silently."""
    entries = ledger_entries(funds, payments, users)
    return payments.filter(~pl.col("relation_id").is_in(entries["relation_id"].implode()))


def _sum_money(expr: pl.Expr) -> pl.Expr:
    return expr.sum().cast(MONEY)


def ledger_summary(
    funds: pl.DataFrame, entries: pl.DataFrame, until: dt.date | None = None
) -> pl.DataFrame:
    """Per fund: opening balance, income by kind (extortion, ransom, other, transfer in), spending by kind
    (stipends, operations, other, transfer out), and closing balance = opening + income − spending,
    all exact Decimals; entries after `until` are left out. A final row 'all funds' adds them up."""
    if until is not None:
        entries = entries.filter(pl.col("date") <= until)
    columns = [
        _sum_money(
            pl.when((pl.col("direction") == direction) & (pl.col("category") == kind))
            .then(pl.col("amount"))
            .otherwise(pl.lit(ZERO).cast(MONEY))
        ).alias(f"{prefix}_{kind}")
        for direction, prefix, kinds in (
            ("income", "income", (*INCOME_KINDS, "transfer")),
            ("spending", "spending", (*SPENDING_KINDS, "transfer")),
        )
        for kind in kinds
    ]
    sums = entries.group_by("fund_id").agg(*columns, _sum_money(pl.col("signed")).alias("net"))
    money_columns = [c for c in sums.columns if c != "fund_id"]
    table = (
        funds.select("fund_id", "fund", "currency", "opening_balance")
        .join(sums, on="fund_id", how="left")
        .with_columns(pl.col(c).fill_null(pl.lit(ZERO).cast(MONEY)) for c in money_columns)
        .with_columns(
            (pl.col("opening_balance") + pl.col("net")).cast(MONEY).alias("closing_balance")
        )
        .drop("net")
        .sort("fund_id")
    )
    total = table.select(
        pl.lit(None, dtype=pl.Int64).alias("fund_id"),
        pl.lit("all funds").alias("fund"),
        pl.col("currency").first(),
        *[
            _sum_money(pl.col(c)).alias(c)
            for c in table.columns
            if c not in ("fund_id", "fund", "currency")
        ],
    )
    return pl.concat([table, total])


def month_range(start: dt.date, end: dt.date) -> pl.Series:
    return pl.date_range(start.replace(day=1), end.replace(day=1), "1mo", eager=True).alias("month")


def balance_over_time(funds: pl.DataFrame, entries: pl.DataFrame) -> pl.DataFrame:
    """Monthly per fund and for all funds: month, fund_id (null = all funds), income, spending (transfers
    included per fund, cancelling in the total), net, and balance at the month's end
    = opening balance + cumulative net. Months run from the earliest opening date (or entry) to the last entry."""
    dated = entries.filter(pl.col("date").is_not_null()).with_columns(
        pl.col("date").dt.truncate("1mo").alias("month")
    )
    # both columns are dates, so their extremes are dates (or None for an empty column)
    firsts = [
        cast(dt.date, d)
        for d in (funds["opening_date"].min(), dated["month"].min())
        if d is not None
    ]
    lasts = [
        cast(dt.date, d)
        for d in (dated["month"].max(), funds["opening_date"].max())
        if d is not None
    ]
    if not firsts:
        return pl.DataFrame(
            schema={
                "month": pl.Date,
                "fund_id": pl.Int64,
                "income": MONEY,
                "spending": MONEY,
                "net": MONEY,
                "balance": MONEY,
            }
        )
    months = month_range(min(firsts), max(lasts))
    grid = pl.DataFrame({"month": months}).join(
        funds.select("fund_id", "opening_balance"), how="cross"
    )
    flows = dated.group_by("fund_id", "month").agg(
        _sum_money(
            pl.when(pl.col("direction") == "income")
            .then(pl.col("amount"))
            .otherwise(pl.lit(ZERO).cast(MONEY))
        ).alias("income"),
        _sum_money(
            pl.when(pl.col("direction") == "spending")
            .then(pl.col("amount"))
            .otherwise(pl.lit(ZERO).cast(MONEY))
        ).alias("spending"),
    )
    zero = pl.lit(ZERO).cast(MONEY)
    per_fund = (
        grid.join(flows, on=["fund_id", "month"], how="left")
        .with_columns(pl.col("income").fill_null(zero), pl.col("spending").fill_null(zero))
        .with_columns((pl.col("income") - pl.col("spending")).cast(MONEY).alias("net"))
        .sort("fund_id", "month")
        .with_columns(
            (pl.col("opening_balance") + pl.col("net").cum_sum().over("fund_id"))
            .cast(MONEY)
            .alias("balance")
        )
        .drop("opening_balance")
    )
    total = (
        per_fund.group_by("month")
        .agg(*[_sum_money(pl.col(c)).alias(c) for c in ("income", "spending", "net", "balance")])
        .with_columns(pl.lit(None, dtype=pl.Int64).alias("fund_id"))
    )
    return pl.concat([per_fund, total.select(per_fund.columns)]).sort(
        "fund_id", "month", nulls_last=True
    )


def monthly_flows(entries: pl.DataFrame, fund_ids: list[int] | None = None) -> pl.DataFrame:
    """Monthly income, spending and net burn (spending − income) of the funds `fund_ids` together (all when
    None), with transfers among those funds left out; zero-filled months. Exact Decimals."""
    chosen = entries if fund_ids is None else entries.filter(pl.col("fund_id").is_in(fund_ids))
    internal = (
        chosen.filter(pl.col("category") == "transfer")
        .group_by("relation_id")
        .agg(pl.len().alias("sides"))
    )
    internal_ids = internal.filter(pl.col("sides") == 2)["relation_id"].implode()
    external = chosen.filter(
        ~pl.col("relation_id").is_in(internal_ids) & pl.col("date").is_not_null()
    )
    zero = pl.lit(ZERO).cast(MONEY)
    flows = (
        external.with_columns(pl.col("date").dt.truncate("1mo").alias("month"))
        .group_by("month")
        .agg(
            _sum_money(
                pl.when(pl.col("direction") == "income").then(pl.col("amount")).otherwise(zero)
            ).alias("income"),
            _sum_money(
                pl.when(pl.col("direction") == "spending").then(pl.col("amount")).otherwise(zero)
            ).alias("spending"),
        )
    )
    if flows.is_empty():
        return flows.with_columns(zero.alias("burn"))
    first, last = cast(dt.date, flows["month"].min()), cast(dt.date, flows["month"].max())
    months = pl.DataFrame({"month": month_range(first, last)})
    return (
        months.join(flows, on="month", how="left")
        .with_columns(pl.col("income").fill_null(zero), pl.col("spending").fill_null(zero))
        .with_columns((pl.col("spending") - pl.col("income")).cast(MONEY).alias("burn"))
        .sort("month")
    )
