"""Runway: central value by hand, the range, and removals (figures from conftest.PAYMENTS, see test_ledger)."""

import math
from decimal import Decimal

import pytest

from cellmap.finance import ledger, runway

from .conftest import F1, F2, FINANCIER, relations_frame


def parts(entities, properties, relations):
    funds = ledger.funds_frame(entities, properties)
    payments = ledger.payments_frame(relations)
    users = ledger.fund_users(relations)
    return funds, payments, users, ledger.ledger_entries(funds, payments, users)


def test_runway_central_value_by_hand(entities, properties, relations):
    funds, _, _, entries = parts(entities, properties, relations)
    result = runway.runway(funds, entries, window=1)
    # March: balance 1,284,145.93; burn = 20,499.99 − 1,000.00 = 19,499.99
    assert result["balance"] == Decimal("1284145.93") and result["mean_burn"] == Decimal("19499.99")
    assert result["runway_months"] == pytest.approx(1284145.93 / 19499.99)
    assert result["runway_low"] <= result["runway_months"] <= result["runway_high"]
    # Gross runway, if income stopped: balance / spending = 1,284,145.93 / 20,499.99
    assert result["gross_runway_months"] == pytest.approx(1284145.93 / 20499.99)


def test_runway_is_unbounded_when_income_exceeds_spending(entities, properties, relations):
    funds, _, _, entries = parts(entities, properties, relations)
    result = runway.runway(
        funds, entries, window=3
    )  # mean burn (−11,545.67 − 42,099.75 + 19,499.99)/3 < 0
    assert result["mean_burn"] < 0 and math.isinf(result["runway_months"])


def test_certain_constant_spending_gives_a_point_range(entities, properties):
    payments = [(m, F1, 20, "1000", "stipend", f"2021-{m:02d}-15", 1) for m in range(1, 7)]
    relations = relations_frame(payments, [])
    funds, _, _, entries = parts(entities, properties, relations)
    funds = funds.filter(funds["fund_id"] == F1)
    result = runway.runway(funds, entries, window=6, opening_credibility={F1: 1})
    # balance 1,000,000 − 6 × 1,000 = 994,000; burn 1,000 a month; no uncertainty at credibility 1
    assert result["runway_months"] == pytest.approx(994.0)
    assert result["runway_low"] == pytest.approx(994.0) and result["runway_high"] == pytest.approx(
        994.0
    )


def test_uncertain_estimates_widen_the_range(entities, properties):
    payments = [(m, F1, 20, "1000", "stipend", f"2021-{m:02d}-15", 4) for m in range(1, 7)]
    funds, _, _, entries = parts(entities, properties, relations_frame(payments, []))
    funds = funds.filter(funds["fund_id"] == F1)
    result = runway.runway(funds, entries, window=6, opening_credibility={F1: 1})
    # spending known to ±50 %: runway between 994/1.5 and 994/0.5 months
    assert 994 / 1.5 <= result["runway_low"] < 994 < result["runway_high"] <= 994 / 0.5
    assert result["relative_error"]["spending"] == pytest.approx(0.5)


def test_removing_the_financier_freezes_the_fund_only_he_uses(entities, properties, relations):
    funds, payments, users, _ = parts(entities, properties, relations)
    effects = runway.removal_effects([F2, FINANCIER], funds, payments, users, window=1, draws=200)
    rows = {r["entity_id"]: r for r in effects.to_dicts()}
    # Without F2: F1 alone; its March balance 941,745.67 (the Feb transfer to F2 left it);
    # burn from now on: March 20,400 − 1,000 = 19,400
    expected = 941745.67 / 19400
    assert rows[F2]["runway_months"] == pytest.approx(expected)
    assert rows[FINANCIER]["runway_months"] == pytest.approx(expected)
    assert rows[F2]["balance"] == Decimal("941745.67")
    assert rows[None]["runway_months"] == pytest.approx(1284145.93 / 19499.99)
    assert rows[F2]["change_months"] == pytest.approx(expected - 1284145.93 / 19499.99)
