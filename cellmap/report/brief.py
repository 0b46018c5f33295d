"""The analyst's brief: bottom line up front, key judgements with ICD 203 likelihood words and a
confidence from the sources' grades, then the evidence — key players, structure and leadership,
strike curves, command-and-control coherence, the violence trend counted three ways, the war chest,
the people traced through one contact — every figure citing its reports and grades.

`build_brief` reads the store's views once (through the caller's compartments when the store is
scoped, narrowed by the filters) and calls the analysis packages; it computes no figure of its own:
key players `cellmap.graph.keyplayers.kpp_neg` (Borgatti 2006), strike curves
`cellmap.disrupt.campaign`, tenure `cellmap.disrupt.tenure` (Kaplan & Meier 1958), trend and
coherence `cellmap.incidents.headlines`, war chest `cellmap.finance.headlines`; how sure the key
players and the coherence labels are `cellmap.unseen.robust` (each key player's and each cell's
share of `robust` samples that keep reports by grade, undo automatic merges by score and, for the
key players, add likely missing ties and unseen members; Borgatti, Carley & Krackhardt 2006). Cost:
that of those analyses (about 5–10 s on the demo scenario, dominated by the key-player search and
the coherence permutation tests), plus about 0.5 s a sample for the robustness.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from cellmap.errors import InputError
from cellmap.report.sources import Citation, Sources
from cellmap.report.words import confidence, likelihood, likelihood_range

SECTIONS = (
    ("players", "Who matters: the key players"),
    ("structure", "Structure: sectors, cells, roles and the leadership"),
    ("strike", "What a strike would do"),
    ("coherence", "Command-and-control coherence"),
    ("trend", "The violence trend, counted three ways"),
    ("finance", "The war chest and its runway"),
    ("contacts", "People traced through one contact"),
)
COHERENCE_SHUFFLES = 199  # shifts of the coherence section's permutation tests
STRATEGIES = {"degree": "highest degree first", "roles:leadership": "leadership first"}


@dataclass(frozen=True)
class BriefFilters:
    """What the brief is computed from: statements at or above `min_grade`, relations valid and
    incidents dated within [start, end], and the entity the contact tracing starts from."""

    min_grade: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    focus: str | None = None

    @property
    def window(self) -> tuple[dt.date | None, dt.date | None] | None:
        """(start, end) for the views' relation window, None when no date is set."""
        return (self.start, self.end) if self.start or self.end else None

    def dated(self, incidents: pl.DataFrame) -> pl.DataFrame:
        """The incidents dated within [start, end]."""
        if self.start:
            incidents = incidents.filter(pl.col("date") >= self.start)
        if self.end:
            incidents = incidents.filter(pl.col("date") <= self.end)
        return incidents

    def describe(self) -> str:
        parts = [f"grades {self.min_grade} or better" if self.min_grade else "all grades"]
        if self.start or self.end:
            parts.append(f"from {self.start or 'the start'} to {self.end or 'the end'}")
        else:
            parts.append("all dates")
        if self.focus:
            parts.append(f"focus {self.focus}")
        return ", ".join(parts)


@dataclass
class Figure:
    """One figure of the evidence: a sentence or a table row, and the reports it rests on."""

    text: str
    cite: Citation


@dataclass
class Judgement:
    """A key judgement: the statement, its likelihood word (when the analysis gives a probability),
    its confidence from the grades, and its citation."""

    text: str
    cite: Citation
    probability: float | None = None
    basis: str = ""

    @property
    def likelihood(self) -> str | None:
        return None if self.probability is None else likelihood(self.probability)

    @property
    def likelihood_range(self) -> str | None:
        word = self.likelihood
        return None if word is None else likelihood_range(word)

    @property
    def confidence(self) -> str:
        return confidence(self.cite.grades)


@dataclass
class Section:
    key: str
    title: str
    summary: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)  # {title, columns, rows: [(cells, cite)]}
    charts: list[dict] = field(default_factory=list)  # {title, figure (matplotlib), cite}
    note: str = ""


@dataclass
class Brief:
    title: str
    generated: str
    filters: BriefFilters
    synthetic: bool
    counts: dict[str, int]
    bluf: list[str]
    judgements: list[Judgement]
    sections: list[Section]
    sources: Sources
    compartments: list[str] = field(default_factory=list)

    @property
    def annex(self) -> list[dict]:
        return self.sources.annex()


def _frames(conn, filters: BriefFilters):
    from cellmap.store import views
    from cellmap.store.case import CaseFrames

    return CaseFrames(
        incidents=filters.dated(views.incidents(conn, min_grade=filters.min_grade)),
        entities=views.entities(conn),
        properties=views.properties(conn, min_grade=filters.min_grade),
        relations=views.relations(conn, min_grade=filters.min_grade, window=filters.window),
    )


@dataclass
class _Unresolved:
    """The unresolved frames the robustness samples draw from (under the brief's dates)."""

    relations: pl.DataFrame
    incidents: pl.DataFrame
    reports: pl.DataFrame
    judgements: pl.DataFrame


def _unresolved(conn, filters: BriefFilters) -> _Unresolved:
    from cellmap.store import views

    return _Unresolved(
        relations=views.relations(conn, window=filters.window, resolved=False),
        incidents=filters.dated(views.incidents(conn, resolved=False)),
        reports=views.reports(conn),
        judgements=views.latest_judgements(conn),
    )


def _share(share: float, samples: int) -> str:
    return f"{share:.0%} of {samples}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.0f}%"


def _months(value: float) -> str:
    return "never (income covers spending)" if value == float("inf") else f"{value:,.1f} months"


def _ties_of(g, vertices) -> pl.DataFrame:
    from cellmap.graph.projection import edge_evidence

    edges = {e for v in vertices for e in g.incident(v)}
    return edge_evidence(g, edges)


ROBUST_SAMPLES = 20  # the brief's default number of robustness samples


def build_brief(
    store: Any,
    filters: BriefFilters | None = None,
    key_players: int = 5,
    robust: int = ROBUST_SAMPLES,
) -> Brief:
    """The brief of `store` (a `Store`, or a caller's `ScopedStore`: then only what the caller may
    see) under `filters`, with each key player's and each cell's share of `robust` samples (0:
    none; none either under a grade filter, since the samples draw reports by grade). Raises
    InputError for an unknown focus."""
    from cellmap.store import views

    filters = filters or BriefFilters()
    if robust < 0:
        raise InputError(f"{robust} samples: must be 0 or more", field="robust")
    with store.session() as conn:
        frames = _frames(conn, filters)
        sources = Sources(views.reports(conn), views.report_compartments(conn))
        synthetic = views.is_synthetic(conn)
        counts = views.counts(conn)
        unresolved = _unresolved(conn, filters) if robust and not filters.min_grade else None
    names = frames.names()
    builder = _Builder(frames, sources, names, filters, robust, unresolved)
    sections = [
        builder.players(key_players),
        builder.structure(),
        builder.strike(),
        builder.coherence(),
        builder.trend(),
        builder.finance(),
        builder.contacts(),
    ]
    for section in sections:
        _drop_unsupported(section)
    judgements = [j for j in builder.judgements if j.cite.reports]
    return Brief(
        title="Network assessment"
        + (f": {names.get(builder.focus_id, '')}" if filters.focus else ""),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        filters=filters,
        synthetic=synthetic,
        counts=counts,
        bluf=[j.text for j in judgements[:3]],
        judgements=judgements,
        sections=sections,
        sources=sources,
        compartments=sources.compartments_cited(),
    )


def _drop_unsupported(section: Section) -> None:
    """A figure no visible report supports (e.g. a fund known only by name under a high grade
    filter) is not stated; the section says how many were left out."""
    dropped = sum(not f.cite.reports for f in section.figures)
    section.figures = [f for f in section.figures if f.cite.reports]
    for chart in section.charts:
        if not chart["cite"].reports:
            import matplotlib.pyplot as plt

            plt.close(chart["figure"])
    section.charts = [c for c in section.charts if c["cite"].reports]
    for table in section.tables:
        dropped += sum(not cite.reports for _, cite in table["rows"])
        table["rows"] = [(cells, cite) for cells, cite in table["rows"] if cite.reports]
    section.tables = [t for t in section.tables if t["rows"]]
    if dropped:
        section.note += (
            f"{dropped} figure(s) left out: no report under these filters supports them."
        )


class _Builder:
    """One section per method; each reads the frames, calls the analysis, cites the statements."""

    def __init__(
        self,
        frames,
        sources: Sources,
        names: dict[int, str],
        filters: BriefFilters,
        robust: int = 0,
        unresolved: _Unresolved | None = None,
    ):
        from cellmap.graph.projection import person_graph

        self.frames, self.sources, self.names, self.filters = frames, sources, names, filters
        self.robust, self.unresolved = robust, unresolved
        self.judgements: list[Judgement] = []
        self.graph = person_graph(frames.relations, frames.entities)
        self.index = {int(e): i for i, e in enumerate(self.graph.vs["entity_id"])}
        self.focus_id: int | None = None
        if filters.focus:
            try:
                self.focus_id = frames.resolve_entity(filters.focus)
            except InputError as error:
                raise InputError(error.reason, field="focus") from None
            if self.focus_id not in self.index:
                raise InputError(
                    f"{filters.focus!r} is not a person of the network under these filters",
                    field="focus",
                )
        self.key_ids: list[int] = []

    def name(self, entity_id) -> str:
        return self.names.get(int(entity_id), str(entity_id))

    # -- who matters ------------------------------------------------------------------------------
    def players(self, k: int) -> Section:
        from cellmap.disrupt.context import person_roles
        from cellmap.graph.keyplayers import kpp_neg

        section = Section("players", dict(SECTIONS)["players"])
        g = self.graph
        tied = g.induced_subgraph([v.index for v in g.vs if v.degree() > 0])
        if tied.vcount() <= k:
            section.summary = "Too few tied persons under these filters for a key-player search."
            return section
        found = kpp_neg(tied, k, objective="F", seed=0)
        self.key_ids = [int(tied.vs[i]["entity_id"]) for i in found.indices]
        roles = person_roles(g, self.frames.relations)
        cells = self._cells_of()
        robust = self._robust_key_players(k)
        rows = []
        for entity in self.key_ids:
            v = self.index[entity]
            ties = _ties_of(g, [v])
            why = f"{g.degree(v)} contacts" + (f", {roles[v]}" if roles[v] else "")
            sure = [_share(robust["share"][entity], self.robust)] if robust else []
            rows.append(
                (
                    [self.name(entity), cells.get(entity, "—"), why, *sure],
                    self.sources.cite_frame(ties),
                )
            )
        columns = ["person", "cell", "why", *(["key player in (samples)"] if robust else [])]
        section.tables.append({"title": "Key players", "columns": columns, "rows": rows})
        all_ties = _ties_of(g, [self.index[e] for e in self.key_ids])
        cite = self.sources.cite_frame(all_ties)
        text = (
            f"Removing the {k} key players would leave the person network's fragmentation at "
            f"F = {found.score:.2f} (from {found.baseline:.2f}): {found.score * 100:.0f}% of pairs "
            f"of the {tied.vcount():,} tied persons could no longer reach each other."
        )
        section.summary = (
            "KPP-Neg (Borgatti 2006): the set of persons whose removal most fragments the network, "
            f"objective F, search {found.method}."
        )
        if self.robust and not robust:
            section.note += (
                "How sure: no samples under a grade filter (the samples draw reports by grade). "
            )
        section.figures.append(Figure(text, cite))
        if robust:
            others = ", ".join(
                f"{o['label']} ({_share(o['share'], self.robust)})" for o in robust["others"]
            )
            section.figures.append(
                Figure(
                    f"How sure: {robust['sentence']}"
                    + (
                        f" Also key players in half the samples or more: {others}."
                        if others
                        else ""
                    ),
                    cite,
                )
            )
        held = (
            f" {sum(v >= 0.5 for v in robust['share'].values())} of the {k} stay key players "
            f"in at least half of {self.robust} samples of what the reports may miss."
            if robust
            else ""
        )
        self.judgements.append(
            Judgement(
                f"The network hangs on few persons: {', '.join(self.name(e) for e in self.key_ids)}. "
                + text
                + held,
                cite,
                basis="model outcome (no probability): confidence from the grades of their ties",
            )
        )
        return section

    def _robust_key_players(self, k: int) -> dict | None:
        """`cellmap.unseen.robust.brief_robustness` for the brief's key players (objective F),
        or None when the brief draws no samples."""
        if not self.unresolved:
            return None
        from cellmap.unseen.robust import RobustModel, brief_robustness

        raw = self.unresolved
        model = RobustModel.from_frames(
            raw.relations, self.frames.entities, raw.reports, raw.judgements
        )
        return brief_robustness(model, self.robust, seed=0, k=k, plain=self.key_ids)

    def _robust_cells(self) -> dict[int, dict[str, float]] | None:
        """Each cell's label shares over the brief's samples (reports by grade, merges by score),
        labelled by the rule of the coherence section; None when the brief draws no samples."""
        if not self.unresolved:
            return None
        from cellmap.incidents import actors
        from cellmap.incidents import coherence as c
        from cellmap.unseen.robust import coherence_shares

        raw, frames = self.unresolved, self.frames
        campaigns = c.campaigns_frame(frames.entities, frames.properties)
        cells = frames.ids_of_kind("cell")
        rule = c.CoherenceRule(shuffles=COHERENCE_SHUFFLES)
        # every sample on the plain answer's weeks (a sample may lose the first or last incidents)
        dates = frames.incidents["date"].drop_nulls()
        first, last = dates.min(), dates.max()

        def label_cells(incidents, entities, relations):
            located = actors.incident_cells(incidents, entities, relations)
            return c.coherence(located, campaigns, relations, cells, first, last, rule=rule)

        return coherence_shares(
            raw.relations,
            frames.entities,
            raw.incidents,
            raw.reports,
            raw.judgements,
            label_cells,
            self.robust,
        )

    def _cells_of(self) -> dict[int, str]:
        rel = self.frames.relations.filter(
            (pl.col("kind") == "membership") & (pl.col("target_kind") == "cell")
        ).sort("valid_from", nulls_last=False)
        latest = rel.group_by("source_id").agg(pl.col("target_id").last())
        return {s: self.name(c) for s, c in latest.iter_rows()}

    # -- structure --------------------------------------------------------------------------------
    def structure(self) -> Section:
        from cellmap import model
        from cellmap.disrupt.context import cell_sectors, memberships_at
        from cellmap.disrupt.plots import survival_figure
        from cellmap.disrupt.tenure import (
            ELIMINATING_END_REASONS,
            kaplan_meier,
            role_tenures,
            tenure_summary,
        )

        section = Section("structure", dict(SECTIONS)["structure"])
        rel = self.frames.relations
        members = memberships_at(rel)
        sectors = cell_sectors(rel)
        member_rows = rel.filter(pl.col("kind") == "membership")
        rows = []
        for sector in sorted(set(sectors["sector"].to_list()), key=lambda s: self.name(int(s))):
            cells = sectors.filter(pl.col("sector") == sector)["cell"].to_list()
            in_cells = members.filter(pl.col("unit").is_in(cells))
            evidence = member_rows.filter(
                pl.col("target_id").is_in([int(c) for c in cells] + [int(sector)])
            )
            rows.append(
                (
                    [
                        self.name(int(sector)),
                        str(len(cells)),
                        f"{in_cells['person_id'].n_unique():,}",
                    ],
                    self.sources.cite_frame(evidence),
                )
            )
        if rows:
            section.tables.append(
                {"title": "Sectors", "columns": ["sector", "cells", "members"], "rows": rows}
            )
        role_counts = (
            members.filter(pl.col("role").is_not_null())
            .group_by("role")
            .agg(pl.col("person_id").n_unique().alias("n"))
        )
        rank = model.role_rank()
        role_rows = [
            (
                [role, f"{n:,}"],
                self.sources.cite_frame(member_rows.filter(pl.col("role") == role)),
            )
            for role, n in sorted(role_counts.iter_rows(), key=lambda r: rank.get(r[0], 99))
        ]
        if role_rows:
            section.tables.append(
                {"title": "Roles held", "columns": ["role", "persons"], "rows": role_rows}
            )
        leadership = model.role_group("leadership")
        leaders = member_rows.filter(pl.col("role").is_in(list(leadership))).sort(
            "valid_from", nulls_last=False
        )
        leader_rows = [
            (
                [
                    self.name(r["source_id"]),
                    r["role"],
                    self.name(r["target_id"]),
                    f"{r['valid_from'] or '?'} – {r['valid_to'] or 'now'}",
                    r["end_reason"] or "",
                ],
                self.sources.cite([r["report_id"]]),
            )
            for r in leaders.iter_rows(named=True)
        ]
        if leader_rows:
            section.tables.append(
                {
                    "title": "The leadership and its removals",
                    "columns": ["person", "role", "of", "held", "ended by"],
                    "rows": leader_rows,
                }
            )
        tenures = role_tenures(rel)
        if tenures.height:
            summary = tenure_summary(tenures)
            groups = {"leader": ["leader"], "critical roles": None}
            tables = {}
            for name, roles in groups.items():
                sub = tenures if roles is None else tenures.filter(pl.col("role").is_in(roles))
                if sub.height:
                    tables[name] = kaplan_meier(
                        sub["days"].to_numpy(), sub["eliminated"].to_numpy()
                    )
            removals = member_rows.filter(
                pl.col("end_reason").is_in(list(ELIMINATING_END_REASONS))
                & pl.col("role").is_in(list(model.role_group("critical")))
            )
            cite = self.sources.cite_frame(removals)
            for row in summary.to_dicts():
                median = row["median_days"]
                section.figures.append(
                    Figure(
                        f"{row['role_group']}: {row['holdings']} holdings, {row['eliminated']} ended "
                        f"by killing or arrest; median time in post "
                        f"{'not reached' if median is None else f'{median:,.0f} days'}.",
                        cite,
                    )
                )
            section.charts.append(
                {
                    "title": "Time in post until killed or arrested (Kaplan–Meier)",
                    "figure": survival_figure(tables),
                    "cite": cite,
                }
            )
            leader = next((r for r in summary.to_dicts() if r["role_group"] == "leader"), None)
            if leader and leader["holdings"]:
                self.judgements.append(
                    Judgement(
                        f"Removals reach the top: {leader['eliminated']} of {leader['holdings']} recorded "
                        "holdings of the leader's post ended by killing or arrest"
                        + (
                            "."
                            if leader["median_days"] is None
                            else f"; a leader's median time in post is {leader['median_days']:,.0f} days."
                        ),
                        self.sources.cite_frame(member_rows.filter(pl.col("role") == "leader")),
                        basis="recorded holdings (no probability)",
                    )
                )
        section.summary = (
            f"{self.frames.entities.filter(pl.col('kind') == 'cell')['canonical_id'].n_unique()} cells "
            "recorded; memberships, roles and holdings as the reports state them."
        )
        return section

    # -- strike -----------------------------------------------------------------------------------
    def strike(self, strikes: int = 20) -> Section:
        from cellmap.disrupt.campaign import strike_campaign
        from cellmap.disrupt.plots import curves_figure

        section = Section("strike", dict(SECTIONS)["strike"])
        g, rel = self.graph, self.frames.relations
        curves, lines = {}, []
        for strategy, label in STRATEGIES.items():
            try:
                campaign = strike_campaign(g, rel, strategy, strikes)
            except ValueError as error:
                section.note += f"{label}: {error}. "
                continue
            curves[label] = campaign.curve
            last = campaign.curve.row(-1, named=True)
            first = campaign.curve.row(0, named=True)
            lines.append(
                f"{label}, {last['step']} strikes: the largest connected group falls from "
                f"{first['largest_share']:.0%} to {last['largest_share']:.0%} of persons; "
                f"cells cut off from the leader {last['cells_cut_off_single']} of "
                f"{len(campaign.single.items)}, from the whole leadership "
                f"{last['cells_cut_off_collective']}."
            )
        if not curves:
            return section
        cite = self.sources.cite_frame(g["evidence"])
        section.figures += [Figure(text, cite) for text in lines]
        section.charts.append(
            {
                "title": "Strike curves",
                "figure": curves_figure(
                    curves,
                    ["largest_share", "fragmentation", "cells_cut_off_single"],
                    title="What each strike does",
                ),
                "cite": cite,
            }
        )
        section.summary = (
            "Persons struck in order on the person network (cellmap.disrupt: incremental removal "
            "curves, Newman & Ziff 2000; fragmentation F, Borgatti 2006). A cell is cut off when none "
            "of its surviving members can reach a surviving leader."
        )
        return section

    # -- incidents --------------------------------------------------------------------------------
    def _incident_summary(self) -> dict:
        from cellmap.incidents.headlines import incident_summary

        if not hasattr(self, "_incidents"):
            end = self.filters.end
            # a window ending on 31 December compares its last year; else the last full year
            year = end.year if end and (end.month, end.day) == (12, 31) else None
            self._incidents = incident_summary(self.frames, year=year, shuffles=COHERENCE_SHUFFLES)
        return self._incidents

    def coherence(self) -> Section:
        section = Section("coherence", dict(SECTIONS)["coherence"])
        summary = self._incident_summary()
        rows, coordinated, evidence_of = [], [], []
        incidents, rel = self.frames.incidents, self.frames.relations
        shares = self._robust_cells() if summary.get("coherence") else None
        for row in summary.get("coherence", []):
            cell = row["cell_id"]
            evidence = pl.concat(
                [
                    incidents.filter(pl.col("attributed_to") == cell).select("report_id"),
                    rel.filter(
                        (pl.col("target_id") == cell) | (pl.col("source_id") == cell)
                    ).select("report_id"),
                ]
            )
            cite = self.sources.cite_frame(evidence)
            sure = (
                [_share(shares.get(cell, {}).get("coordinated", 0.0), self.robust)]
                if shares is not None
                else []
            )
            rows.append(([self.name(cell), row["label"], row.get("reason", ""), *sure], cite))
            if row["label"] == "coordinated" and row.get("p_campaign") is not None:
                coordinated.append((cell, 1.0 - float(row["p_campaign"])))
                evidence_of.append(evidence)
        if rows:
            columns = ["cell", "label", "why"]
            columns += ["coordinated in (samples)"] if shares is not None else []
            section.tables.append({"title": "Cells", "columns": columns, "rows": rows})
        section.summary = (
            "cellmap.incidents.coherence: a cell's weekly attacks correlated with the leadership's "
            f"campaign calls and with other cells (permutation tests, {COHERENCE_SHUFFLES} shuffles), "
            "and its hops and independent paths to the leadership."
        )
        held = ""
        if coordinated and shares is not None:
            stay = [c for c, _ in coordinated if shares.get(c, {}).get("coordinated", 0) >= 0.5]
            held = (
                f" {len(stay)} of the {len(coordinated)} stay coordinated in at least half of "
                f"{self.robust} samples that keep each report by its grade and each automatic "
                "merge by its score."
            )
            section.figures.append(
                Figure(
                    f"How sure:{held} Each cell's share is in the table.",
                    self.sources.cite_frame(pl.concat(evidence_of)),
                )
            )
        if coordinated:
            cells = ", ".join(self.name(c) for c, _ in coordinated)
            level = min(p for _, p in coordinated)
            cite = self.sources.cite_frame(pl.concat(evidence_of))
            self.judgements.append(
                Judgement(
                    f"{len(coordinated)} of {len(rows)} cells time their attacks to the leadership's "
                    f"campaign calls ({cells}); the others act on their own timing.{held}",
                    cite,
                    probability=level,
                    basis="1 − the permutation p-value of the campaign correlation (weakest cell)",
                )
            )
        return section

    def trend(self) -> Section:
        from cellmap.incidents.plots import trend_figure
        from cellmap.incidents.trends import change_level, counts_by_method

        section = Section("trend", dict(SECTIONS)["trend"])
        incidents = self.frames.incidents
        summary = self._incident_summary()
        if not summary.get("year_on_year"):
            section.summary = "No incidents under these filters."
            return section
        year = summary["year"]
        compared = incidents.filter(pl.col("date").dt.year().is_in([year - 1, year]))
        cite = self.sources.cite_frame(compared)
        headline: tuple[dict, float | None] | None = None
        for row in summary["year_on_year"]:
            level = change_level(row["previous"], row["current"])
            direction = "fall" if row["current"] < row["previous"] else "rise"
            word = (
                f"; {likelihood(level)} a real {direction} (one-sided exact test: {level:.0%})"
                if level
                else ""
            )
            section.figures.append(
                Figure(
                    f"{row['method'].replace('_', ' ')}: {row['previous']} in {year - 1}, "
                    f"{row['current']} in {year} ({_pct(row['change'])}, 95% interval "
                    f"{_pct(row['change_low'])} to {_pct(row['change_high'])}){word}.",
                    cite,
                )
            )
            headline = headline or (row, level)
        yearly = counts_by_method(incidents, "year")
        section.charts.append(
            {
                "title": "Incidents per year",
                "figure": trend_figure(yearly),
                "cite": self.sources.cite_frame(incidents),
            }
        )
        row, level = headline or ({}, None)
        if level is not None:
            direction = "fell" if row["current"] < row["previous"] else "rose"
            methods = summary["year_on_year"]
            agree = all(
                (m["current"] < m["previous"]) == (row["current"] < row["previous"])
                for m in methods
            )
            self.judgements.append(
                Judgement(
                    f"Completed operations {direction} from {row['previous']} in {year - 1} to "
                    f"{row['current']} in {year} ({_pct(row['change'])}); "
                    + (
                        "all operations and all incidents moved the same way."
                        if agree
                        else "the other counts did not move the same way: the change depends on what is counted."
                    ),
                    cite,
                    probability=level,
                    basis="exact test of two Poisson counts (one-sided), cellmap.incidents.trends.change_level",
                )
            )
        section.summary = (
            "Three counts (cellmap.incidents.vocabulary): completed operations, all operations "
            "whatever their outcome, and every incident including small-scale violence."
        )
        return section

    # -- finance ----------------------------------------------------------------------------------
    def finance(self) -> Section:
        from cellmap.finance.headlines import finance_summary

        section = Section("finance", dict(SECTIONS)["finance"])
        summary = finance_summary(self.frames)
        if not summary.get("funds"):
            section.summary = "No fund under these filters."
            return section
        funds = self.frames.ids_of_kind("fund")
        rel, props = self.frames.relations, self.frames.properties
        evidence = pl.concat(
            [
                rel.filter(
                    pl.col("source_id").is_in(funds) | pl.col("target_id").is_in(funds)
                ).select("report_id"),
                props.filter(pl.col("entity_id").is_in(funds)).select("report_id"),
            ]
        )
        cite = self.sources.cite_frame(evidence)
        runway = summary["runway"]
        section.figures.append(
            Figure(
                f"{summary['funds']} funds; balance {runway['balance']:,} USD as of {runway['as_of']}; "
                f"mean monthly income {runway['mean_income']:,}, spending {runway['mean_spending']:,} "
                f"(last {runway['window_months']} months).",
                cite,
            )
        )
        runway_text = (
            f"Runway {_months(runway['runway_months'])} (90% range {_months(runway['runway_low'])} – "
            f"{_months(runway['runway_high'])})."
        )
        section.figures.append(Figure(runway_text, cite))
        if runway.get("gross_runway_months") is not None:
            section.figures.append(
                Figure(
                    f"If all income stopped: {_months(runway['gross_runway_months'])} (range "
                    f"{_months(runway['gross_runway_low'])} – {_months(runway['gross_runway_high'])}).",
                    cite,
                )
            )
        section.summary = (
            "cellmap.finance: the ledger of the funds' recorded payments; runway = balance / mean "
            "monthly net burn, its range the 5th–95th percentiles over the amounts' stated errors."
        )
        self.judgements.append(
            Judgement(
                "The war chest lasts "
                + (
                    "indefinitely at the recent rate: income covers spending."
                    if runway["runway_low"] == float("inf")
                    else f"between {_months(runway['runway_low'])} and {_months(runway['runway_high'])} "
                    "at the recent rate."
                ),
                cite,
                probability=0.90,
                basis="the runway's 5th–95th percentile range (a 90% interval)",
            )
        )
        return section

    # -- contacts ---------------------------------------------------------------------------------
    def contacts(self) -> Section:
        section = Section("contacts", dict(SECTIONS)["contacts"])
        subject = self.focus_id or (self.key_ids[0] if self.key_ids else None)
        if subject is None:
            section.summary = "No person to start from (give --focus)."
            return section
        g = self.graph
        v = self.index[subject]
        first = set(g.neighbors(v))
        rows, traced = [], set()
        for u in sorted(first, key=lambda u: -g.degree(u)):
            through = set(g.neighbors(u)) - first - {v}
            traced |= through
            ties = self._tie(v, u)
            kinds = ", ".join(sorted(set(ties["kind"].drop_nulls().to_list())))
            rows.append(
                (
                    [self.name(g.vs[u]["entity_id"]), kinds, f"{len(through):,}"],
                    self.sources.cite_frame(ties),
                )
            )
        section.tables.append(
            {
                "title": f"Direct contacts of {self.name(subject)}",
                "columns": ["contact", "ties", "further persons through them"],
                "rows": rows,
            }
        )
        cite = self.sources.cite_frame(_ties_of(g, [v]))
        text = (
            f"{self.name(subject)} has {len(first)} direct contacts; through one of them "
            f"{len(traced):,} further persons are reached."
        )
        section.figures.append(Figure(text, cite))
        section.summary = (
            "Contact chaining on the person network: the subject's direct ties, and the persons one "
            "intermediary further ("
            + ("the focus" if self.focus_id else "the first key player")
            + ")."
        )
        if self.focus_id is not None:
            standing = (
                "is one of the key players"
                if self.focus_id in self.key_ids
                else "is not among the key players"
            )
            self.judgements.insert(
                0,
                Judgement(f"{self.name(subject)} {standing}. " + text, cite, basis="recorded ties"),
            )
        return section

    def _tie(self, v: int, u: int) -> pl.DataFrame:
        from cellmap.graph.projection import edge_evidence

        edge = self.graph.get_eid(v, u)
        return edge_evidence(self.graph, [edge])
