"""Headline war-chest figures as one JSON-able dict (ledger totals and runway), for `cellmap demo` and the web."""

from __future__ import annotations

from cellmap.finance import ledger, runway
from cellmap.store.case import CaseFrames


def finance_summary(frames: CaseFrames, window: int = 12) -> dict:
    """Opening and closing total of all funds, income and spending by kind, monthly burn and runway (range)."""
    book = ledger.Ledger.read(frames.entities, frames.properties, frames.relations)
    funds, entries = book.funds, book.entries
    if funds.is_empty():
        return {"funds": 0}
    total = ledger.ledger_summary(funds, entries).row(-1, named=True)
    return {
        "funds": funds.height,
        "totals": {k: v for k, v in total.items() if k not in ("fund_id", "fund")},
        "runway": runway.runway(funds, entries, window=window),
        "unassigned_payments": book.unassigned().height,
    }
