"""The analysis `cellmap demo` prints: one JSON-able dict composed from each capability's own summary.

It reads the store's views once and calls the analyses; it computes nothing of its own.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from cellmap.store import Store, views


def summarise(store: Store, key_players: int = 5, year: int | None = None) -> dict:
    from cellmap.disrupt.tenure import role_tenures, tenure_summary
    from cellmap.finance.headlines import finance_summary
    from cellmap.graph.keyplayers import kpp_neg
    from cellmap.graph.projection import person_graph
    from cellmap.incidents.headlines import incident_summary
    from cellmap.store.case import CaseFrames
    from cellmap.unseen.population import hidden_members

    with store.session() as conn:
        frames = CaseFrames.from_connection(conn)
        result = {
            "synthetic": views.is_synthetic(conn),
            "counts": views.counts(conn),
            "entities_by_kind": views.entity_counts(conn),
            "reports_by_grade": views.report_grade_counts(conn),
            "identities": views.resolution_summary(conn),
        }
        reports = views.reports(conn)
    graph = person_graph(frames.relations, frames.entities, include_isolates=False)
    players = kpp_neg(graph, key_players, objective="F", seed=0)
    result["key_players"] = {
        "objective": "F (Borgatti 2006)",
        "k": key_players,
        "persons": players.labels,
        "keys": players.nodes,
        "fragmentation_after": players.score,
        "method": players.method,
        "graph": {"persons": graph.vcount(), "ties": graph.ecount()},
    }
    result["hidden_members"] = hidden_members(frames.relations, frames.entities, reports)["members"]
    result["incidents"] = incident_summary(frames, year=year)
    result["finance"] = finance_summary(frames)
    tenure = tenure_summary(role_tenures(frames.relations))
    result["tenure"] = tenure.to_dicts()
    return result


def _pct(value) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f}%"


def _months(value) -> str:
    return "never runs out at this rate" if value == float("inf") else f"{value:,.1f} months"


def _runway_text(runway: dict) -> str:
    """Balance, net monthly burn and runway with its range; and the gross runway (no new income)."""
    lines = [
        f"  balance {runway['balance']:,} USD as of {runway['as_of']}; mean monthly income "
        f"{runway['mean_income']:,}, spending {runway['mean_spending']:,} (last {runway['window_months']} months)",
        f"  runway: {_months(runway['runway_months'])}"
        + (
            ""
            if runway["runway_low"] == runway["runway_high"] == float("inf")
            else f" (range {_months(runway['runway_low'])} – {_months(runway['runway_high'])})"
        ),
    ]
    if runway.get("gross_runway_months") is not None:
        lines.append(
            f"  if all income stopped: {_months(runway['gross_runway_months'])} (range "
            f"{_months(runway['gross_runway_low'])} – {_months(runway['gross_runway_high'])})"
        )
    return "\n".join(lines)


def print_summary(summary: dict, console: Console) -> None:
    if summary["synthetic"]:
        console.print("[bold yellow]SYNTHETIC DATA — fictional persons, real places[/]")
    counts = summary["counts"]
    console.print(
        f"store: {counts['reports']:,} reports, {counts['entities']:,} entities, "
        f"{counts['relations']:,} relationships, {counts['incidents']:,} incidents"
    )
    players = summary["key_players"]
    console.print(
        f"\n[bold]Key players[/] (KPP-Neg, k={players['k']}, {players['method']}): removing them leaves "
        f"fragmentation F = {players['fragmentation_after']:.3f} on {players['graph']['persons']:,} tied "
        f"persons; identities: {views.resolution_line(summary['identities'])}"
    )
    for label in players["persons"]:
        console.print(f"  • {label}")
    hidden = summary["hidden_members"]
    console.print(
        f"\n[bold]Members[/]: {hidden['observed']:,} seen in the reports, about {hidden['estimate']:,.0f} "
        f"in all ({hidden['level']:.0%} interval {hidden['low']:,.0f}–{hidden['high']:,.0f}; "
        f"capture–recapture across report sources, model {hidden['model']})"
    )
    incidents = summary["incidents"]
    if incidents.get("year_on_year"):
        table = Table(title=f"Year-on-year change {incidents['year']} vs {incidents['year'] - 1}")
        for column in ("method", "previous", "current", "change", "interval"):
            table.add_column(column)
        for row in incidents["year_on_year"]:
            interval = f"{_pct(row.get('change_low'))} … {_pct(row.get('change_high'))}"
            table.add_row(
                str(row["method"]),
                str(row["previous"]),
                str(row["current"]),
                _pct(row["change"]),
                interval,
            )
        console.print(table)
    if incidents.get("coherence"):
        table = Table(title="Command-and-control coherence per cell")
        for column in ("cell", "label", "why"):
            table.add_column(column)
        for row in incidents["coherence"]:
            table.add_row(str(row.get("cell")), str(row.get("label")), str(row.get("reason", "")))
        console.print(table)
    finance = summary["finance"]
    if finance.get("runway"):
        console.print(f"\n[bold]War chest[/]: {finance['funds']} funds")
        console.print(_runway_text(finance["runway"]))
    for row in summary["tenure"]:
        median = row["median_days"]
        console.print(
            f"tenure of {row['role_group']}: {row['holdings']} holdings, {row['eliminated']} eliminated, "
            f"median {'not reached' if median is None else f'{median:,.0f} days'}"
        )
