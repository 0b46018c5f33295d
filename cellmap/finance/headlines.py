"""Headline war-chest figures as one JSON-able dict (ledger totals and runway), for `cellmap demo` and the web."""

from __future__ import annotations

from cellmap.finance import ledger, runway
from cellmap.store.case import CaseFrames


def finance_summary(frames: CaseFrames, window: int = 12) -> dict:
    """Opening and closing total of all funds, income and spending by kind, monthly burn and runway (range)."""
    funds = ledger.funds_frame(frames.entities, frames.properties)
    if funds.is_empty():
        return {"funds": 0}
    payments = ledger.payments_frame(frames.relations)
    users = ledger.fund_users(frames.relations)
    entries = ledger.ledger_entries(funds, payments, users)
    total = ledger.ledger_summary(funds, entries).row(-1, named=True)
    return {
        "funds": funds.height,
        "totals": {k: v for k, v in total.items() if k not in ("fund_id", "fund")},
        "runway": runway.runway(funds, entries, window=window),
        "unassigned_payments": ledger.unassigned_payments(funds, payments, users).height,
    }
