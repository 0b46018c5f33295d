"""Candidate pairs by blocking, then pair scores — never all pairs.

Blocking (Christen, *Data Matching*, Springer 2012, ch. 4): every record gets keys from the
consonant skeletons of its name parts (:mod:`cellmap.resolve.names`): one key per single part,
per *pair* (``bkr|bgdd``) and per triple of parts, plus its identifiers and full birth date when present. Two records are candidates when they share a key whose
block holds at most ``max_block`` records (frequent keys such as the skeleton of Muhammad alone
are too common to block on and are dropped; their pair keys still block). A cheap vectorised
pre-score (Levenshtein similarity of the sorted skeleton strings, rapidfuzz ``cpdist``) prunes
pairs before the full score of :func:`cellmap.resolve.score.score_pair`.

Cost: O(N·k²) keys for N records of ≤ k parts, O(Σ_b |b|²) candidate pairs over blocks b with
|b| ≤ max_block, at most 2·per_record·N after pruning, O(P·m·n) scoring for P surviving pairs. Scoring runs in ``workers`` processes.
"""

from __future__ import annotations

import gc
import itertools
import math
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from cellmap import strict_json
from cellmap.resolve.collective import unique_in_unit, units_of
from cellmap.resolve.matcher import DEFAULT_MATCHER, load_matcher
from cellmap.resolve.score import default_scorer
from cellmap.resolve.scorer import Scorer, is_person_schema, logit

RARE_BLOCK = 5
PRESCORE_WEIGHT = 10.0  # one unit of skeleton similarity is worth this much shared-key weight
BLOCKING_ATTRIBUTES = ("identifier", "birth_date")
ATTRIBUTE_COLUMNS = (
    "birth_date",
    "birth_place",
    "nationality",
    "gender",
    "cell",
    "role",
    "identifier",
    "context",
    "unit",
    "unit_above",
    "active",
    "seen",
    "contact_roles",
)


def record_keys(
    names: Sequence[str], person: bool = True, scorer: Scorer | None = None
) -> tuple[list[str], list[str]]:
    """Blocking keys and the sorted skeleton string of each name of a record."""
    scorer = scorer or default_scorer()
    analyse = scorer.analyse_person if person else scorer.analyse_generic
    keys: set[str] = set()
    skeleton_strings: list[str] = []
    for name in names:
        parts = [
            p for p in analyse(name or "").parts if p.tag not in ("title", "initial") and p.skeleton
        ]
        skeletons = sorted({p.skeleton for p in parts})
        for s in skeletons:
            keys.add("1:" + s)
        for s, t in itertools.combinations(skeletons, 2):
            keys.add(f"2:{s}|{t}")
        # three parts together stay specific where common names make pair blocks too large
        for combo in itertools.combinations(skeletons, 3):
            keys.add("3:" + "|".join(combo))
        joined = "".join(sorted(p.skeleton for p in parts))
        if joined and joined not in skeleton_strings:
            skeleton_strings.append(joined)
    return sorted(keys), skeleton_strings or [""]


def blocking_keys(
    row: dict, key_attrs: Sequence[str], with_context: bool, scorer: Scorer
) -> tuple[list[str], list[str]]:
    """Every blocking key of one record (``row``: record_id, name, aliases, schema, context, unit
    and the ``key_attrs``) and its sorted skeleton strings; see :func:`block`."""
    keys, skel = record_keys(
        _names_of(row), is_person_schema(row.get("schema") or "Person"), scorer
    )
    # exact identifiers and full birth dates also block: they catch badly garbled names
    keys += [
        f"{c}:{v}"
        for c in key_attrs
        for v in str(row.get(c) or "").split(";")
        if v.strip() and (c != "birth_date" or len(v.strip()) >= 10)
    ]
    units = units_of(row.get("context")) | units_of(row.get("unit"))
    if with_context and units:
        # a single name part is too common to block on alone (Abu Zaid, al-Idari), but not within one
        # unit: a bare kunya or laqab becomes a candidate of the same unit's records sharing it
        keys += [f"u:{k[2:]}@{u}" for k in keys if k.startswith("1:") for u in sorted(units)]
    return keys, skel


def _names_of(row: dict) -> list[str]:
    names = [row.get("name") or ""]
    for extra in row.get("aliases") or []:
        if extra and extra not in names:
            names.append(extra)
    return names


@contextmanager
def _fewer_collections(first_generation: int = 100_000):
    """Run the garbage collector's youngest generation every ``first_generation`` allocations instead of
    700: scoring allocates millions of short-lived tuples and dicts (no cycles) while the analysed names
    stay alive, and each collection walks them. Measured on 200,000 records: −7 % wall time. Forked
    scoring workers inherit the setting; the old thresholds are restored on exit."""
    old = gc.get_threshold()
    gc.set_threshold(first_generation, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


@_fewer_collections()
def block(
    records: pl.DataFrame,
    max_block: int = 50,
    max_single_block: int = 20,
    min_prescore: float = 0.4,
    per_record: int = 4,
    workers: int | None = None,
    scorer: Scorer | None = None,
) -> pl.DataFrame:
    """Candidate pairs (left_id < right_id) with the number of shared keys and a pre-score.

    ``records`` has ``record_id`` (int), ``name`` (str) and optionally ``aliases`` (list[str]),
    ``schema`` (str, default Person), ``identifier`` and ``birth_date``. A pair survives when it
    shares a key of a small enough block, and its pre-score is ≥ ``min_prescore`` or it shares
    ≥ 3 keys; of those, each record keeps its ``per_record`` best partners (by pre-score).
    """
    key_attrs = [c for c in BLOCKING_ATTRIBUTES if c in records.columns]
    with_context = "context" in records.columns or "unit" in records.columns
    rows = records.select(
        [
            c
            for c in ("record_id", "name", "aliases", "schema", "context", "unit", *key_attrs)
            if c in records.columns
        ]
    ).to_dicts()
    scorer = scorer or default_scorer()
    scorer.preanalyse(
        n for row in rows if is_person_schema(row.get("schema") or "Person") for n in _names_of(row)
    )
    ids: list[int] = []
    skeletons: list[list[str]] = []
    flat_ids: list[int] = []
    flat_keys: list[str] = []
    for row in rows:
        keys, skel = blocking_keys(row, key_attrs, with_context, scorer)
        ids.append(row["record_id"])
        skeletons.append(skel)
        flat_ids.extend([row["record_id"]] * len(keys))
        flat_keys.extend(keys)
    keyed = pl.DataFrame(
        {"record_id": flat_ids, "key": flat_keys}, schema={"record_id": pl.Int64, "key": pl.Utf8}
    )
    sizes = keyed.group_by("key").len()
    small = sizes.filter(
        (pl.col("len") >= 2)
        & (
            pl.when(pl.col("key").str.starts_with("1:"))
            .then(pl.col("len") <= max_single_block)
            .otherwise(pl.col("len") <= max_block)
        )
    )
    # a shared rare key is better evidence than a shared common one: weight = ln(N / block size)
    n_records = max(len(ids), 2)
    small = small.with_columns((pl.lit(float(n_records)) / pl.col("len")).log().alias("idf"))
    keyed = keyed.join(small.select("key", "idf"), on="key")
    pairs = (
        keyed.join(keyed.drop("idf"), on="key", suffix="_r")
        .filter(pl.col("record_id") < pl.col("record_id_r"))
        .group_by("record_id", "record_id_r")
        .agg(pl.len().alias("shared_keys"), pl.col("idf").sum().alias("key_weight"))
        .rename({"record_id": "left_id", "record_id_r": "right_id"})
    )
    if pairs.is_empty():
        return _with_uplinks(
            pairs.with_columns(pl.lit(0.0).alias("prescore")).drop("key_weight"), records
        )
    pairs = pairs.join(
        _prescore(pairs.select("left_id", "right_id"), ids, skeletons), on=["left_id", "right_id"]
    )
    rare = math.log(n_records / RARE_BLOCK)  # a key shared by at most RARE_BLOCK records
    pairs = pairs.filter(
        (pl.col("prescore") >= min_prescore)
        | (pl.col("shared_keys") >= 3)
        | (pl.col("key_weight") >= rare)
    )
    rank = pl.col("prescore") * PRESCORE_WEIGHT + pl.col("key_weight")
    pairs = pairs.sort(
        "left_id", "right_id"
    )  # ties rank in a fixed order: the same candidates every run
    keep_left = pairs.with_columns(
        rank.rank("ordinal", descending=True).over("left_id").alias("r")
    ).filter(pl.col("r") <= per_record)
    keep_right = pairs.with_columns(
        rank.rank("ordinal", descending=True).over("right_id").alias("r")
    ).filter(pl.col("r") <= per_record)
    return _with_uplinks(pl.concat([keep_left, keep_right]).drop("r", "key_weight"), records)


def _with_uplinks(kept: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """The blocked pairs plus :func:`uplink_pairs` (a pair found both ways keeps its blocking figures)."""
    if "unit_above" in records.columns:
        kept = pl.concat([kept, uplink_pairs(records)], how="vertical_relaxed")
    return kept.unique(["left_id", "right_id"], keep="first", maintain_order=True).sort(
        "left_id", "right_id"
    )


MAX_UPLINK_CARRIERS = (
    30  # records above the cell carrying the epithet (one person is often named in many
)
# sector reports); beyond this the epithet is too common to propose; unique_in_unit counts resolved persons


def uplink_pairs(records: pl.DataFrame) -> pl.DataFrame:
    """Candidate pairs for a bare kunya or laqab that no one in its own cell carries, with the carriers
    of that epithet one or more levels up (``unit_above``): "Abu Yasin" in a cell's intercept summary,
    where no member is Abu Yasin, is most likely the sector head Abu Yasin who calls the cell. Blocking
    keys cannot find these pairs: the bare epithet is too common to block on across a whole sector.
    (Collective entity resolution: Bhattacharya & Getoor, ACM TKDD 2007.) O(N·k) for N records of k
    epithets; at most MAX_UPLINK_CARRIERS pairs per epithet of a bare record. The +3 log-odds of a
    unique carrier (counted in resolved persons) is added by :func:`cellmap.resolve.collective.unique_in_unit`."""
    schema = {
        "left_id": pl.Int64,
        "right_id": pl.Int64,
        "shared_keys": pl.UInt32,
        "prescore": pl.Float64,
    }
    carriers: dict[tuple[str, str], list[int]] = {}
    bare: list[tuple[int, set[str], set[str], set[str]]] = []
    for row in records.select("record_id", "name", "aliases", "unit", "unit_above").iter_rows(
        named=True
    ):
        units = units_of(row["unit"])
        if not units:
            continue
        names = _names_of(row)
        epithets = epithet_keys(names)
        if carries_full_name(names):
            for unit in units:
                for part in epithets:
                    carriers.setdefault((unit, part), []).append(row["record_id"])
        elif epithets:
            above = units_of(row["unit_above"])
            bare.append((row["record_id"], epithets, units, above))
    pairs: set[tuple[int, int]] = set()
    for rid, epithets, units, above in bare:
        for part in epithets:
            if any((unit, part) in carriers for unit in units):
                # someone in its own cell carries it: the unit keys of block() pair them. Pairing it with the
                # carriers above as well cost precision on seed 1 (cluster F1 0.961 -> 0.943)
                continue
            for unit in above:
                found = carriers.get((unit, part), [])
                if len(found) <= MAX_UPLINK_CARRIERS:
                    pairs.update((min(rid, c), max(rid, c)) for c in found)
    ordered = sorted(pairs)
    return pl.DataFrame(
        {
            "left_id": [a for a, _ in ordered],
            "right_id": [b for _, b in ordered],
            "shared_keys": [1] * len(ordered),
            "prescore": [0.0] * len(ordered),
        },
        schema=schema,
    )


def _prescore(pairs: pl.DataFrame, ids: list[int], skeletons: list[list[str]]) -> pl.DataFrame:
    """Best Levenshtein similarity between any two names' sorted skeleton strings (rapidfuzz, C++)."""
    names = pl.DataFrame(
        {
            "record_id": [i for i, sk in zip(ids, skeletons, strict=False) for _ in sk],
            "skel": [x for sk in skeletons for x in sk],
        },
        schema={"record_id": pl.Int64, "skel": pl.Utf8},
    )
    combos = pairs.join(
        names.rename({"record_id": "left_id", "skel": "skel_l"}), on="left_id"
    ).join(names.rename({"record_id": "right_id", "skel": "skel_r"}), on="right_id")
    sims = process.cpdist(
        combos["skel_l"].to_list(),
        combos["skel_r"].to_list(),
        scorer=Levenshtein.normalized_similarity,
        workers=-1,
    )
    return (
        combos.with_columns(pl.Series("prescore", sims, dtype=pl.Float64))
        .group_by("left_id", "right_id")
        .agg(pl.col("prescore").max())
    )


REASONS_FROM = (
    0.3  # reasons are kept for pairs an analyst may see (the CLI's default); below, only the score
)
# what a scoring worker process received when it started (scorer, records by id, model): each pair
# then travels to it as two integers
_WORKER: dict[str, Any] = {}  # this worker's scorer, records, model and soft attributes
CONTRADICTING_LLR = (
    -3.0
)  # an attribute this strongly against (gender, birth year, time line) contradicts
# where a record is placed in the network lowers a score but never forbids a merge: a sector head or a
# courier is named in several cells' reports (tuned on seeds 1 and 2)
CANNOT_BELOW = (
    0.2  # constrained_accept's default: a contradicting pair scoring below this is a cannot-link
)


def soft_attributes(scorer: Scorer) -> frozenset[str]:
    """Attributes that lower a score but are never a cannot-link on their own."""
    return frozenset(n for n, spec in scorer.matcher.attributes.items() if spec.get("soft"))


FULL_NAMES_DIFFER = (
    0.1  # two full names whose name score is below this are two people (cannot-link);
)
# tuned on seeds 1 and 2 (0.05: no effect, 0.1: +0.008 cluster F1, 0.15 and above: worse — variants of one
# full name across scripts can score low)


def epithet_keys(names: Sequence[str], scorer: Scorer | None = None) -> set[str]:
    """Skeletons of a record's kunyas (Abu X) and of its bare one-part names (a laqab such as al-Hajji):
    the parts a bare alias shares with the person's full record. A nisba or ism inside a longer name
    is excluded — many members of one cell share them. O(names)."""
    analyse = (scorer or default_scorer()).analyse_person
    keys = set()
    for name in names:
        parts = [
            p for p in analyse(name or "").parts if p.tag not in ("title", "initial") and p.skeleton
        ]
        keys |= {p.skeleton for p in parts if p.tag == "kunya" or len(parts) == 1}
    return keys


def carries_full_name(
    names: Sequence[str], schema: str = "Person", scorer: Scorer | None = None
) -> bool:
    """True when a person record names the man, not only his kunya or laqab: some name has an ism and a
    father's name, nisba or family name. Two such records that score low are two people; a bare
    kunya or laqab scoring low against a full name is mere absence of shared parts. O(names)."""
    if not is_person_schema(schema):
        return True
    analyse = (scorer or default_scorer()).analyse_person
    for name in names:
        tags = {p.tag for p in analyse(name or "").parts}
        if "ism" in tags and tags & {"nasab", "nisba", "family"}:
            return True
    return False


def _start_worker(scorer: Scorer, records: dict, model: str) -> None:
    """Runs once in each scoring worker: keep what it was sent (works under fork, spawn, forkserver)."""
    _WORKER.update(scorer=scorer, records=records, model=model, soft=soft_attributes(scorer))


def _score_in_worker(chunk: list[tuple[int, int]]) -> list[tuple]:
    return score_chunk(
        chunk, _WORKER["model"], _WORKER["scorer"], _WORKER["records"], _WORKER["soft"]
    )


def score_chunk(
    chunk: list[tuple[int, int]], model: str, scorer: Scorer, records: dict, soft: frozenset[str]
) -> list[tuple]:
    out = []
    for left_id, right_id in chunk:
        names_a, schema, attrs_a, full_a = records[left_id]
        names_b, _, attrs_b, full_b = records[right_id]
        # attributes do not depend on which names are compared: the best name pair is the best pair
        named = max(
            (
                scorer.score_pair(na, nb, schema, model=model)
                for na in names_a[:4]
                for nb in names_b[:4]
            ),
            key=lambda pair: pair.name_score,
        )
        attrs = scorer.attribute_log_odds(attrs_a, attrs_b) if attrs_a and attrs_b else {}
        best = replace(
            named,
            score=scorer.combined_score(logit(named.name_score), attrs),
            attribute_reasons=attrs,
        )
        hard = {k: v for k, v in best.attribute_reasons.items() if k not in soft}
        # two full names contradict when they disagree on names and hard facts, not on network placement
        contradicts = (
            full_a and full_b and scorer.combined_score(logit(best.name_score), hard) < CANNOT_BELOW
        ) or any(v <= CONTRADICTING_LLR for v in hard.values())
        # two different full names are two men, whatever cell, place and birth year they share
        names_differ = full_a and full_b and best.name_score < FULL_NAMES_DIFFER
        out.append(
            (
                best.score,
                strict_json.dumps(best.reasons()) if best.score >= REASONS_FROM else "{}",
                contradicts,
                names_differ,
                "surname_clash" in attrs
                if "names" in attrs_a
                else scorer.parts_clash(names_a, names_b, "surname"),
            )
        )
    return out


@_fewer_collections()
def score_candidates(
    records: pl.DataFrame,
    pairs: pl.DataFrame,
    workers: int | None = None,
    chunk_size: int = 5000,
    model: str = "record",
    matcher: str = DEFAULT_MATCHER,
    start_method: str | None = None,
) -> pl.DataFrame:
    """Full scores and reasons for candidate pairs; ``workers`` processes (default: CPU count).

    ``model`` is the person-name model of ``matcher`` (``record`` for report records, ``person`` for
    lists). The scorer is built here with the records' profile backgrounds and sent whole to each
    worker process (``start_method`` fork, spawn or forkserver; default: the platform's).
    ``contradicts`` marks pairs whose evidence is *against* identity (both carry full names, or an
    attribute at ≤ CONTRADICTING_LLR) rather than merely missing: only those become cannot-links;
    ``names_differ`` marks two full names scoring below FULL_NAMES_DIFFER by name: a cannot-link at any
    score, since shared cell, place and birth year never make two different full names one man."""
    if pairs.is_empty():
        return pairs.with_columns(
            pl.lit(0.0).alias("score"),
            pl.lit("{}").alias("reasons"),
            pl.lit(True).alias("contradicts"),
            pl.lit(False).alias("names_differ"),
            pl.lit(False).alias("nisbas_clash"),
        )
    scorer, by_id = scoring_inputs(records, matcher)
    ids = list(pairs.select("left_id", "right_id").iter_rows())
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(chunks) > 1:
        context = multiprocessing.get_context(start_method)
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(scorer, by_id, model),
        ) as pool:
            results = list(itertools.chain.from_iterable(pool.map(_score_in_worker, chunks)))
    else:
        soft = soft_attributes(scorer)
        results = list(
            itertools.chain.from_iterable(
                score_chunk(c, model, scorer, by_id, soft) for c in chunks
            )
        )
    return finish_scores(records, pairs, results, scorer, by_id)


def scoring_inputs(
    records: pl.DataFrame, matcher: str = DEFAULT_MATCHER
) -> tuple[Scorer, dict[int, tuple[list[str], str, dict, bool]]]:
    """The scorer with the records' profile backgrounds, and each record as the scorer reads it:
    record id → (names, schema, attributes, carries a full name)."""
    scorer = Scorer.for_records(load_matcher(matcher), records)
    if matcher == DEFAULT_MATCHER:
        scorer.share_analysis(default_scorer())  # names analysed while blocking
    attr_cols = [c for c in ATTRIBUTE_COLUMNS if c in records.columns]
    by_id: dict[int, tuple[list[str], str, dict, bool]] = {}
    for row in records.iter_rows(named=True):
        attrs = {c: row[c] for c in attr_cols if row.get(c) not in (None, "", [])}
        names, schema = _names_of(row), row.get("schema") or "Person"
        if is_person_schema(schema):
            attrs["names"] = tuple(names)  # record-level name-part evidence (surname, father)
        by_id[row["record_id"]] = (names, schema, attrs, carries_full_name(names, schema, scorer))
    return scorer, by_id


def finish_scores(
    records: pl.DataFrame,
    pairs: pl.DataFrame,
    results: list[tuple],
    scorer: Scorer,
    by_id: dict[int, tuple[list[str], str, dict, bool]],
) -> pl.DataFrame:
    """The pairs with their scores (``results``: :func:`score_chunk`'s rows, in the pairs' order)
    and, with units, the unit-uniqueness evidence, which needs every scored pair at once."""
    scored = pairs.with_columns(
        pl.Series("score", [r[0] for r in results], dtype=pl.Float64),
        pl.Series("reasons", [r[1] for r in results], dtype=pl.Utf8),
        pl.Series("contradicts", [r[2] for r in results], dtype=pl.Boolean),
        pl.Series("names_differ", [r[3] for r in results], dtype=pl.Boolean),
        pl.Series("nisbas_clash", [r[4] for r in results], dtype=pl.Boolean),
    )
    if "unit" in records.columns:
        part_keys = {
            rid: epithet_keys(rec[0], scorer) if is_person_schema(rec[1]) else set()
            for rid, rec in by_id.items()
        }
        scored = unique_in_unit(
            records, scored, part_keys, {rid: rec[3] for rid, rec in by_id.items()}
        )
    return scored


def candidates(
    records: pl.DataFrame,
    min_score: float = 0.3,
    max_block: int = 50,
    per_record: int = 4,
    workers: int | None = None,
) -> pl.DataFrame:
    """Blocking then scoring: the pairs worth an analyst's look, best first."""
    pairs = block(records, max_block=max_block, per_record=per_record, workers=workers)
    scored = score_candidates(records, pairs, workers=workers)
    return scored.filter(pl.col("score") >= min_score).sort("score", descending=True)


TIE_KINDS = ("communication", "meeting", "command", "kinship", "association")
EVENT_KINDS = ("participation",)  # a record took part in an incident: seen on the incident's date
HIERARCHY_KINDS = ("part_of",)  # a cell is part of a sector, a sector of the organisation
RECORD_RELATION_KINDS = (
    "membership",
    "use",
    *TIE_KINDS,
    *EVENT_KINDS,
    *HIERARCHY_KINDS,
)  # read by records_from_views
UNIT_KINDS = ("cell", "sector", "organisation")  # entities a report can be about (report_units)


def context_units(relations: pl.DataFrame) -> pl.DataFrame:
    """entity_id, context: the units (cells, sectors, organisations) a person belongs to or is tied to
    through a direct contact (communication, meeting, command, kinship, association), ';'-joined.

    Reports that name a person under an alias rarely repeat his cell, but they do name whom he
    called or met; those contacts' units place the alias in the network (collective entity
    resolution, Bhattacharya & Getoor, ACM TKDD 2007). O(R) for R relations.
    """
    member = (
        relations.filter(pl.col("kind") == "membership")
        .select(pl.col("source_id").alias("entity_id"), pl.col("target_id").alias("unit"))
        .unique()
    )
    ties = relations.filter(pl.col("kind").is_in(TIE_KINDS)).select("source_id", "target_id")
    ties = pl.concat(
        [
            ties,
            ties.select(
                pl.col("target_id").alias("source_id"), pl.col("source_id").alias("target_id")
            ),
        ]
    )
    via = ties.join(member.rename({"entity_id": "target_id"}), on="target_id").select(
        pl.col("source_id").alias("entity_id"), "unit"
    )
    return (
        pl.concat([member, via])
        .unique()
        .group_by("entity_id")
        .agg(pl.col("unit").cast(pl.Utf8).sort().str.join(";").alias("context"))
    )


CONTACT_KINDS = ("communication", "meeting", "command")  # ties that show whom a man deals with


def contact_roles(relations: pl.DataFrame) -> pl.DataFrame:
    """entity_id, contact_roles: how often the record dealt (call, meeting, command) with a holder of each
    role, as ``role=count`` ';'-joined (``cell_head=3;fighter=1``); contacts of unknown role are left out.

    Whom a man deals with is part of who he is: a sector head speaks to the heads of his cells, a
    fighter to the men of his own cell. A bare "Abu Yasin" who only ever called cell heads reads like
    the sector head Abu Yasin, not like the cell's fighter of that kunya (relational features for
    entity resolution: Bhattacharya & Getoor, ACM TKDD 2007). O(R) for R relations."""
    empty = pl.DataFrame(schema={"entity_id": pl.Int64, "contact_roles": pl.Utf8})
    if relations.is_empty() or "role" not in relations.columns:
        return empty
    roles = (
        relations.filter(
            (pl.col("kind") == "membership") & pl.col("role").is_not_null() & (pl.col("role") != "")
        )
        .select(pl.col("source_id").alias("partner"), "role")
        .unique()
    )
    ties = relations.filter(pl.col("kind").is_in(CONTACT_KINDS)).select("source_id", "target_id")
    ends = pl.concat(
        [
            ties.select(
                pl.col("source_id").alias("entity_id"), pl.col("target_id").alias("partner")
            ),
            ties.select(
                pl.col("target_id").alias("entity_id"), pl.col("source_id").alias("partner")
            ),
        ]
    )
    counted = (
        ends.join(roles, on="partner").group_by("entity_id", "role").len().sort("entity_id", "role")
    )
    if counted.is_empty():
        return empty
    return (
        counted.select(
            pl.col("entity_id").cast(pl.Int64),
            pl.concat_str([pl.col("role"), pl.col("len").cast(pl.Utf8)], separator="=").alias("x"),
        )
        .group_by("entity_id")
        .agg(pl.col("x").str.join(";").alias("contact_roles"))
    )


def activity(relations: pl.DataFrame, incident_dates: pl.DataFrame | None = None) -> pl.DataFrame:
    """entity_id, active, seen: when a record is known to be in the organisation, and when it acted.

    ``active`` = its membership periods ``from/to`` (ISO dates, an open end left empty), ';'-joined;
    ``seen`` = the dates of the events it is named in — a call or meeting (the relation's ``date``
    attribute) or an incident it took part in (``incident_dates``: incident_id, date) — ';'-joined.
    A bare "Abu Yasin" who called someone in June 2021 is not the cell's Abu Yasin killed in March
    2021: an analyst's time-line check (temporal record linkage, Li, Dong, Maurino & Srivastava,
    "Linking temporal records", PVLDB 4(11), 2011). O(R) for R relations.
    """
    empty = pl.DataFrame(schema={"entity_id": pl.Int64, "active": pl.Utf8, "seen": pl.Utf8})
    if relations.is_empty() or "valid_from" not in relations.columns:
        return empty
    iso = {c: pl.col(c).cast(pl.Utf8).fill_null("") for c in ("valid_from", "valid_to")}
    active = relations.filter(
        (pl.col("kind") == "membership") & pl.col("valid_from").is_not_null()
    ).select(
        pl.col("source_id").alias("entity_id"),
        pl.concat_str([iso["valid_from"], iso["valid_to"]], separator="/").alias("period"),
    )
    events = []
    if "attrs" in relations.columns:
        dated = relations.filter(
            pl.col("kind").is_in(TIE_KINDS) & pl.col("attrs").is_not_null()
        ).with_columns(pl.col("attrs").str.json_path_match("$.date").str.slice(0, 10).alias("date"))
        dated = dated.filter(pl.col("date").is_not_null())
        events += [
            dated.select(pl.col(end).alias("entity_id"), "date")
            for end in ("source_id", "target_id")
        ]
    if incident_dates is not None and not incident_dates.is_empty():
        took_part = relations.filter(pl.col("kind").is_in(EVENT_KINDS)).join(
            incident_dates.select(
                pl.col("incident_id").alias("target_id"), pl.col("date").cast(pl.Utf8)
            ),
            on="target_id",
        )
        events.append(took_part.select(pl.col("source_id").alias("entity_id"), "date"))
    active = active.group_by("entity_id").agg(
        pl.col("period").unique().sort().str.join(";").alias("active")
    )
    if not events:
        return active.with_columns(pl.lit(None, dtype=pl.Utf8).alias("seen"))
    seen = (
        pl.concat(
            [
                e.select(pl.col("entity_id").cast(pl.Int64), pl.col("date").cast(pl.Utf8))
                for e in events
            ]
        )
        .filter(pl.col("date").is_not_null())
        .group_by("entity_id")
        .agg(pl.col("date").unique().sort().str.join(";").alias("seen"))
    )
    return active.join(seen, on="entity_id", how="full", coalesce=True)


def units_above(units: pl.DataFrame, relations: pl.DataFrame | None) -> pl.DataFrame:
    """entity_id, unit_above: every unit above the record's units through ``part_of`` (its cell's
    sector, the sector's organisation), ';'-joined. A sector head named in a cell's intercept summary
    is in that cell's context without being its member: the cell is *inside* his unit, which is no
    contradiction. ``units`` has entity_id and unit. O(U·depth)."""
    empty = pl.DataFrame(schema={"entity_id": pl.Int64, "unit_above": pl.Utf8})
    if relations is None or relations.is_empty() or units.is_empty():
        return empty
    parent = relations.filter(pl.col("kind").is_in(HIERARCHY_KINDS)).select(
        pl.col("source_id").cast(pl.Int64).alias("unit"),
        pl.col("target_id").cast(pl.Int64).alias("above"),
    )
    if parent.is_empty():
        return empty
    level = units.join(parent, on="unit").select("entity_id", pl.col("above").alias("unit"))
    found = []
    for _ in range(8):  # organisations are a few levels deep; the bound also stops a part_of cycle
        if level.is_empty():
            break
        found.append(level)
        level = (
            level.join(parent, on="unit")
            .select("entity_id", pl.col("above").alias("unit"))
            .unique()
        )
    return (
        pl.concat(found)
        .unique()
        .group_by("entity_id")
        .agg(pl.col("unit").sort().cast(pl.Utf8).str.join(";").alias("unit_above"))
    )


def same_report_pairs(records: pl.DataFrame) -> list[tuple[int, int]]:
    """Record pairs named in one and the same report (column ``report``, ';'-joined report ids).

    One report that names two persons means two men — on seed 1 none of the 107 candidate pairs
    from one report was one person — so these pairs are cannot-links for automatic acceptance
    (they stop a chain of merges from joining the two). O(Σ_r k_r²) for k_r records in report r."""
    if "report" not in records.columns:
        return []
    named = (
        records.select("record_id", pl.col("report").str.split(";").alias("r"))
        .explode("r")
        .filter(pl.col("r").is_not_null() & (pl.col("r") != ""))
    )
    pairs = named.join(named, on="r", suffix="_b").filter(
        pl.col("record_id") < pl.col("record_id_b")
    )
    return list(pairs.select("record_id", "record_id_b").unique().iter_rows())


def report_units(reports: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """report_id, unit: the units (cells, sectors) a report names in its title — an intercept summary
    or membership assessment "of CELL-00013" places every person it mentions in that unit's context,
    even when it names him only by a kunya or laqab. ``reports`` has report_id and title (``views.reports``),
    ``units`` has entity_id and key of the unit entities. Every key found as a substring of a title
    counts; one Aho–Corasick pass over the titles (Polars ``extract_many``), O(Σ|title| + Σ|key| + hits) —
    not a titles × units cross product (170,000 reports × 2,800 cells in the large scenario)."""
    empty = pl.DataFrame(schema={"report_id": pl.Int64, "unit": pl.Int64})
    units = units.filter(pl.col("key").is_not_null() & (pl.col("key") != ""))
    if reports.is_empty() or units.is_empty():
        return empty
    found = (
        reports.select(
            pl.col("report_id").cast(pl.Int64),
            pl.col("title")
            .str.extract_many(units["key"].unique().to_list(), overlapping=True)
            .alias("key"),
        )
        .explode("key")
        .drop_nulls("key")
        .unique()
    )
    return (
        found.join(
            units.select(
                pl.col("key").cast(pl.Utf8), pl.col("entity_id").cast(pl.Int64).alias("unit")
            ),
            on="key",
        )
        .select("report_id", "unit")
        .unique()
        .sort("report_id", "unit")
    )


def records_from_views(
    entities: pl.DataFrame,
    properties: pl.DataFrame,
    relations: pl.DataFrame | None = None,
    units_of_reports: pl.DataFrame | None = None,
    incident_dates: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Person records for resolution from the store's views (``views.entities(resolved=False)``,
    ``views.properties``, optionally ``views.relations`` for cell and role).

    One row per entity: name, aliases (alias, kunya and other name properties), birth date,
    place, nationality, gender, the cells and roles of its memberships, the units it reaches
    through contacts (``context``) and the identifiers (phones, accounts) it uses; with
    ``units_of_reports`` (:func:`report_units`), ``unit`` = its cells and the units its reports are about;
    ``active`` and ``seen`` (:func:`activity`, with ``incident_dates``: incident_id, date) when the
    relations carry validity periods and dates; ``contact_roles`` (:func:`contact_roles`), the roles of
    the men it called, met or commanded.
    """
    persons = entities.filter(pl.col("kind") == "person").select("entity_id", "name")
    props = properties.filter(pl.col("entity_id").is_in(persons["entity_id"].implode()))
    name_props = ["name", "alias", "kunya", "laqab"]
    aliases = (
        props.filter(pl.col("prop").is_in(name_props))
        .group_by("entity_id")
        .agg(pl.col("value").unique(maintain_order=True).alias("aliases"))
    )
    wide = persons.join(aliases, on="entity_id", how="left")
    for prop, column in (
        ("birth_date", "birth_date"),
        ("birth_place", "birth_place"),
        ("nationality", "nationality"),
        ("gender", "gender"),
    ):
        values = (
            props.filter(pl.col("prop") == prop)
            .group_by("entity_id")
            .agg(pl.col("value").unique().str.join(";").alias(column))
        )
        wide = wide.join(values, on="entity_id", how="left")
    if relations is not None and not relations.is_empty():
        member = relations.filter(pl.col("kind") == "membership")
        cells = (
            member.group_by("source_id")
            .agg(
                pl.col("target_id").cast(pl.Utf8).unique().str.join(";").alias("cell"),
                pl.col("role").drop_nulls().unique().str.join(";").alias("role"),
            )
            .rename({"source_id": "entity_id"})
        )
        wide = wide.join(cells, on="entity_id", how="left")
        wide = wide.join(context_units(relations), on="entity_id", how="left")
        wide = wide.join(activity(relations, incident_dates), on="entity_id", how="left")
        wide = wide.join(contact_roles(relations), on="entity_id", how="left")
        if "target_kind" in relations.columns:
            # a phone or account used under two names is the classic security error (F14)
            used = (
                relations.filter(
                    (pl.col("kind") == "use") & (pl.col("target_kind") == "identifier")
                )
                .group_by("source_id")
                .agg(
                    pl.col("target_id")
                    .cast(pl.Utf8)
                    .unique()
                    .sort()
                    .str.join(";")
                    .alias("identifier")
                )
                .rename({"source_id": "entity_id"})
            )
            wide = wide.join(used, on="entity_id", how="left")
    if "report_id" in props.columns:
        named_in = (
            props.filter(pl.col("prop") == "name")
            .group_by("entity_id")
            .agg(
                pl.col("report_id")
                .drop_nulls()
                .unique()
                .sort()
                .cast(pl.Utf8)
                .str.join(";")
                .alias("report")
            )
        )
        wide = wide.join(named_in, on="entity_id", how="left")
    unit_sources = []
    if relations is not None and not relations.is_empty():
        unit_sources.append(
            relations.filter(pl.col("kind") == "membership").select(
                pl.col("source_id").alias("entity_id"), pl.col("target_id").alias("unit")
            )
        )
    if (
        units_of_reports is not None
        and not units_of_reports.is_empty()
        and "report_id" in props.columns
    ):
        record_reports = (
            props.filter(pl.col("prop") == "name").select("entity_id", "report_id").unique()
        )
        unit_sources.append(
            record_reports.join(units_of_reports, on="report_id").select("entity_id", "unit")
        )
    if unit_sources:
        placed = pl.concat(
            [
                u.select(pl.col("entity_id").cast(pl.Int64), pl.col("unit").cast(pl.Int64))
                for u in unit_sources
            ]
        ).unique()
        unit = placed.group_by("entity_id").agg(
            pl.col("unit").sort().cast(pl.Utf8).str.join(";").alias("unit")
        )
        wide = wide.join(unit, on="entity_id", how="left").join(
            units_above(placed, relations), on="entity_id", how="left"
        )
    wide = wide.with_columns(
        pl.col("name").fill_null(""),
        pl.col("aliases").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))),
        pl.lit("Person").alias("schema"),
    )
    return wide.rename({"entity_id": "record_id"})


def store_records(conn) -> pl.DataFrame:
    """The person records of a store for resolution, as every caller (CLI, workbench, training) reads
    them: unresolved entities and relations (a record keeps its own ties after an analyst's "same"),
    report units and incident dates; with each record's ``key``. ``conn`` is a store session."""
    from cellmap.store import views

    entities = views.entities(conn, kinds=["person"], resolved=False)
    properties = views.properties(conn, entity_ids=entities["entity_id"].to_list())
    relations = views.relations(conn, kinds=list(RECORD_RELATION_KINDS), resolved=False)
    units = views.entities(conn, kinds=list(UNIT_KINDS), resolved=False)
    incidents = views.incidents(conn, resolved=False).select("incident_id", "date")
    records = records_from_views(
        entities, properties, relations, report_units(views.reports(conn), units), incidents
    )
    return records.join(
        entities.select(pl.col("entity_id").alias("record_id"), "key"), on="record_id", how="left"
    )
