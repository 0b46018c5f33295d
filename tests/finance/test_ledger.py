"""Ledger arithmetic, exactly: every expected figure below is added up by hand from conftest.PAYMENTS.

F1: opening 1,000,000.00; income extortion 12,345.67 + 1,000.00 (via the cell), ransom 50,000.00;
    spending stipends 400 × 3 + 400 (via the cell) = 1,600.00, operations 20,000.00, transfer out 100,000.00
    closing = 1,000,000 + 13,345.67 + 50,000 − 1,600 − 20,000 − 100,000 = 941,745.67
F2: opening 250,000.50 (B2 beats D4's 300,000); transfer in 100,000.00; operations 7,500.25; other 99.99
    closing = 250,000.50 + 100,000 − 7,500.25 − 99.99 = 342,400.26
All funds: opening 1,250,000.50, closing 1,284,145.93.
"""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellmap.errors import InputError
from cellmap.finance import ledger

from .conftest import F1, F2, relations_frame

D = Decimal


def build(entities, properties, relations):
    funds = ledger.funds_frame(entities, properties)
    payments = ledger.payments_frame(relations)
    users = ledger.fund_users(relations)
    return funds, payments, users, ledger.ledger_entries(funds, payments, users)


def test_opening_balances_take_the_best_graded_statement(entities, properties):
    funds = ledger.funds_frame(entities, properties)
    by_id = {r["fund_id"]: r for r in funds.to_dicts()}
    assert by_id[F1]["opening_balance"] == D("1000000.00") and by_id[F2]["opening_balance"] == D(
        "250000.50"
    )
    assert by_id[F2]["opening_balance_disputed"] and not by_id[F1]["opening_balance_disputed"]
    assert by_id[F2]["opening_date"] == dt.date(2021, 1, 1) and by_id[F2]["currency"] == "USD"


def test_ledger_summary_exact(entities, properties, relations):
    funds, _, _, entries = build(entities, properties, relations)
    summary = {r["fund"]: r for r in ledger.ledger_summary(funds, entries).to_dicts()}
    f1, f2, total = summary["entity 100"], summary["entity 101"], summary["all funds"]
    assert (f1["income_extortion"], f1["income_ransom"], f1["income_other"]) == (
        D("13345.67"),
        D("50000.00"),
        D("0.00"),
    )
    assert (f1["spending_stipends"], f1["spending_operations"], f1["spending_transfer"]) == (
        D("1600.00"),
        D("20000.00"),
        D("100000.00"),
    )
    assert f1["closing_balance"] == D("941745.67")
    assert (f2["income_transfer"], f2["spending_operations"], f2["spending_other"]) == (
        D("100000.00"),
        D("7500.25"),
        D("99.99"),
    )
    assert f2["closing_balance"] == D("342400.26")
    assert (total["opening_balance"], total["closing_balance"]) == (
        D("1250000.50"),
        D("1284145.93"),
    )
    assert total["income_transfer"] == total["spending_transfer"] == D("100000.00")
    for row in summary.values():
        assert all(not isinstance(v, float) for v in row.values())


def test_unassigned_payment_is_reported(entities, properties, relations):
    funds, payments, users, _ = build(entities, properties, relations)
    assert ledger.unassigned_payments(funds, payments, users)["relation_id"].to_list() == [12]


def test_balance_over_time_and_monthly_burn(entities, properties, relations):
    funds, _, _, entries = build(entities, properties, relations)
    total = ledger.balance_over_time(funds, entries).filter(pl.col("fund_id").is_null())
    assert total.select("month", "balance").rows() == [
        (dt.date(2021, 1, 1), D("1261546.17")),  # 1,250,000.50 + 12,345.67 − 800
        (dt.date(2021, 2, 1), D("1303645.92")),  # + 50,000 − 400 − 7,500.25
        (dt.date(2021, 3, 1), D("1284145.93")),  # + 1,000 − 20,000 − 400 − 99.99
    ]
    flows = ledger.monthly_flows(entries)
    assert flows.select("income", "spending", "burn").rows() == [
        (D("12345.67"), D("800.00"), D("-11545.67")),
        (D("50000.00"), D("7900.25"), D("-42099.75")),
        (D("1000.00"), D("20499.99"), D("19499.99")),
    ]


def test_amount_with_three_decimals_is_refused(relations):
    bad = relations_frame([(1, 30, F1, "10.555", "extortion", "2021-01-01", 2)], [])
    with pytest.raises(InputError, match="record 1: amount"):
        ledger.payments_frame(bad)


money = st.decimals(
    min_value=D("0.01"), max_value=D("99999.99"), places=2, allow_nan=False, allow_infinity=False
)
endpoints = st.sampled_from(
    [(30, F1), (30, F2), (F1, 20), (F2, 21), (F1, F2), (F2, F1), (30, 10), (10, 20)]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            endpoints,
            money,
            st.sampled_from(["extortion", "ransom", "stipend", "operations", "other"]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_total_closing_is_opening_plus_external_flows(entities, properties, moves):
    payments = [
        (i + 1, s, t, str(amount), kind, "2021-02-01", 2)
        for i, ((s, t), amount, kind) in enumerate(moves)
    ]
    relations = relations_frame(payments)
    funds, _, _, entries = build(entities, properties, relations)
    total = (
        ledger.ledger_summary(funds, entries)
        .filter(pl.col("fund") == "all funds")
        .row(0, named=True)
    )
    funds_or_users = {F1, F2, 10}  # cell 10 uses F1
    expected = D("1250000.50")
    for _, (source, target), amount, _ in [(None, *m) for m in moves]:
        if source not in funds_or_users and target in funds_or_users:
            expected += amount
        elif source in funds_or_users and target not in funds_or_users:
            expected -= amount
    assert total["closing_balance"] == expected
    assert isinstance(total["closing_balance"], Decimal)
