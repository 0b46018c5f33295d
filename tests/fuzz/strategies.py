"""Hypothesis strategies for every input format `cellmap import` reads: cellmap JSON lines, FtM JSON
lines, the four cellmap CSV forms (reports, entities, relations, incidents), ACLED, ACLED deletions
and GTD. Each draws a whole file as (suffix, bytes): mostly well-formed structure with values from
the model's own vocabularies, mixed with hostile values (deep nesting, huge numbers, NUL, unpaired
surrogates, formula cells, quotes, wrong types), so that both the validation paths and the storage
paths are reached."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import strategies as st

from cellmap.ingest.acled import ACLED_DELETIONS_HEADER, ACLED_REQUIRED
from cellmap.ingest.csvfile import ENTITY_COLUMNS, INCIDENT_COLUMNS, RELATION_COLUMNS
from cellmap.ingest.gtd import GTD_REQUIRED
from cellmap.model import entity_kinds, ftm_mapping, relation_kinds, vocabulary

# Keys the sample store holds, so that records can refer to stored reports and entities.
STORED_REPORTS = ["SAMPLE-R1", "SAMPLE-R2"]
STORED_ENTITIES = ["SAMPLE-P1", "SAMPLE-P2", "SAMPLE-C1", "SAMPLE-ORG", "SAMPLE-SEC"]

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",
        '=HYPERLINK("http://example.invalid")',
        "'=1",
        "+1",
        "-",
        "@",
        '"',
        '""',
        ",",
        ";",
        "\\",
        "\n",
        "\r\n",
        "\t",
        "\ufeff",
        "x" * 300,
        "9" * 400,
        "1e999",
        "-1e999",
        "NaN",
        "2021-13-45",
        "0000-01-01",
        "99999",
    ]
)


def _mostly(good, other, odds: int = 5):
    """`good` in all but one draw of `odds` on average, else `other`."""
    return st.integers(0, odds - 1).flatmap(lambda i: other if i == 0 else good)


TEXT = _mostly(st.text(min_size=1, max_size=20), HOSTILE_TEXT)
KEYS = _mostly(st.sampled_from(STORED_ENTITIES), st.text(max_size=12), odds=8)
REPORT_KEYS = _mostly(st.sampled_from(STORED_REPORTS), st.text(max_size=8), odds=8)
GRADES = _mostly(
    st.builds(lambda r, c: f"{r}{c}", st.sampled_from("ABCDEF"), st.integers(1, 6)),
    st.one_of(st.builds(lambda r, c: f"{r}{c}", st.sampled_from("GZ"), st.integers(0, 9)), TEXT),
)
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.integers(1900, 2100).map(str),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(1990, 2030), st.integers(0, 13)),
    TEXT,
    st.none(),
)
NUMBERS = _mostly(
    st.one_of(st.integers(-1000, 10**6), st.floats(-1e6, 1e6)),
    st.one_of(
        st.integers(-(10**25), 10**25),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([0, -1, 2**31, 2**63, 1e308]),
    ),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
# Any JSON value, two levels deep at most (deeper nesting comes from the raw lines of _json_lines).
JSON_VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=3),
    st.lists(st.lists(SCALARS, max_size=2), max_size=2),
)


def _maybe(strategy):
    """Mostly the well-formed value, sometimes any JSON value at all."""
    return _mostly(strategy, JSON_VALUES, odds=12)


def _choice(name: str):
    return _maybe(st.sampled_from(vocabulary(name)))


REPORT = st.fixed_dictionaries(
    {"record": st.just("report"), "id": _maybe(REPORT_KEYS), "grade": _maybe(GRADES)},
    optional={
        "title": _maybe(TEXT),
        "kind": _maybe(st.sampled_from(["other", "arrest_debrief", "open_source_article"])),
        "date": _maybe(DATES),
        "synthetic": _maybe(st.booleans()),
    },
)
PROPERTY_NAMES = _mostly(
    st.sampled_from(["name", "kunya", "alias", "birthDate", "nationality", "id", "prop:x"]),
    st.text(max_size=10),
)
ENTITY = st.fixed_dictionaries(
    {
        "record": st.just("entity"),
        "id": _maybe(KEYS),
        "kind": _maybe(st.sampled_from(list(entity_kinds()))),
        "report": _maybe(st.one_of(REPORT_KEYS, REPORT)),
    },
    optional={
        "properties": _maybe(
            st.dictionaries(PROPERTY_NAMES, _maybe(st.lists(TEXT, max_size=3)), max_size=4)
        ),
        "valid_from": DATES,
        "valid_to": DATES,
    },
)
ATTRS = st.dictionaries(
    st.one_of(
        st.sampled_from(["amount", "date", "count", "confidence", "action", "outcome", "target"]),
        st.text(max_size=8),
    ),
    _maybe(st.one_of(TEXT, NUMBERS)),
    max_size=4,
)
RELATION = st.fixed_dictionaries(
    {
        "record": st.just("relation"),
        "kind": _maybe(st.sampled_from(list(relation_kinds()))),
        "source": _maybe(KEYS),
        "target": _maybe(KEYS),
        "report": _maybe(REPORT_KEYS),
    },
    optional={
        "id": _maybe(KEYS),
        "role": _maybe(st.one_of(st.sampled_from(vocabulary("roles")), TEXT)),
        "valid_from": DATES,
        "valid_to": DATES,
        "end_reason": _choice("end_reasons"),
        "attrs": _maybe(ATTRS),
    },
)
INCIDENT = st.fixed_dictionaries(
    {
        "record": st.just("incident"),
        "id": _maybe(KEYS),
        "date": DATES,
        "type": _choice("incident_types"),
        "report": _maybe(REPORT_KEYS),
    },
    optional={
        "outcome": _choice("incident_outcomes"),
        "fatalities": _maybe(NUMBERS),
        "lat": _maybe(NUMBERS),
        "lon": _maybe(NUMBERS),
        "geo_precision": _choice("geo_precisions"),
        "location": TEXT,
        "attributed_to": _maybe(KEYS),
        "attribution_confidence": _maybe(NUMBERS),
        "source_codes": JSON_VALUES,
        "mapping": JSON_VALUES,
        "source_event_id": TEXT,
    },
)
DELETION = st.fixed_dictionaries({"record": st.just("deletion")}, optional={"id": _maybe(KEYS)})
RECORD = _mostly(st.one_of(REPORT, ENTITY, RELATION, INCIDENT, DELETION), JSON_VALUES, odds=10)


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def _json_lines(draw, records: list) -> bytes:
    lines = [json.dumps(r) for r in records]
    if draw(st.integers(0, 19)) == 0:  # a raw line: deep nesting, a huge integer, broken JSON
        raw = draw(
            st.sampled_from(
                [_deep(17), _deep(100_000), "9" * 400, '{"record": "report"', "NaN", "\ufeff{}"]
            )
        )
        lines.insert(draw(st.integers(0, len(lines))), raw)
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return (bom + ending.join(lines) + ending).encode("utf-8", "surrogatepass")


@st.composite
def jsonl_files(draw) -> tuple[str, bytes]:
    """cellmap JSON lines."""
    return ".jsonl", _json_lines(draw, draw(st.lists(RECORD, min_size=1, max_size=4)))


FTM_ENTITY_SCHEMATA = list(ftm_mapping()["entities"])
FTM_RELATION_SCHEMATA = list(ftm_mapping()["relations"])


@st.composite
def ftm_lines(draw) -> dict:
    schema = draw(
        st.one_of(st.sampled_from(FTM_ENTITY_SCHEMATA + FTM_RELATION_SCHEMATA), st.text(max_size=8))
    )
    from followthemoney import model

    known = list(model.get(schema).properties) if model.get(schema) else ["name"]
    props = draw(
        st.dictionaries(
            _mostly(st.sampled_from(known), st.text(max_size=6)),
            _maybe(st.lists(st.one_of(KEYS, TEXT), max_size=2)),
            max_size=4,
        )
    )
    ext = draw(
        _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "report": _maybe(st.one_of(REPORT_KEYS, REPORT)),
                    "kind": _maybe(st.sampled_from(list(entity_kinds()) + list(relation_kinds()))),
                    "properties": _maybe(st.dictionaries(PROPERTY_NAMES, TEXT, max_size=2)),
                    "attrs": _maybe(ATTRS),
                    "incident": _maybe(INCIDENT),
                    "role": TEXT,
                    "valid_from": DATES,
                },
            )
        )
    )
    return {"id": draw(_maybe(KEYS)), "schema": schema, "properties": props, "cellmap": ext}


@st.composite
def ftm_files(draw) -> tuple[str, bytes]:
    """FollowTheMoney JSON lines with cellmap's extension object."""
    return ".ftm.jsonl", _json_lines(draw, draw(st.lists(ftm_lines(), min_size=1, max_size=3)))


def _csv_bytes(draw, header: list[str], cells) -> bytes:
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=5))
    if draw(st.integers(0, 9)) == 0 and rows:  # a ragged row
        rows[0] = rows[0][:-1]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if draw(st.integers(0, 9)) == 0:  # a quote that never closes, or text after a closing quote
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(['"', '"x', 'a"b', '"\n'])) + text[cut:]
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return (bom + text).encode("utf-8", "surrogatepass")


def _csv_form(columns: list[str], extra: list[str], cells):
    @st.composite
    def files(draw) -> tuple[str, bytes]:
        more = draw(st.lists(st.sampled_from(extra), unique=True, max_size=4)) if extra else []
        header = columns + more
        return ".csv", _csv_bytes(draw, header, cells)

    return files()


CELLS = st.one_of(KEYS, REPORT_KEYS, GRADES, DATES.map(lambda d: d or ""), TEXT)
KIND_CELLS = st.one_of(st.sampled_from(list(entity_kinds()) + list(relation_kinds())), CELLS)
report_csv_files = _csv_form(
    ["id", "grade"], ["title", "kind", "date", "source", "synthetic", "compartment"], CELLS
)
entity_csv_files = _csv_form(
    ["id", "kind", "name"], sorted(ENTITY_COLUMNS) + ["kunya", "prop:id", "Alias"], KIND_CELLS
)
relation_csv_files = _csv_form(
    ["kind", "source", "target"],
    sorted(RELATION_COLUMNS) + ["count", "amount", "attr:target"],
    KIND_CELLS,
)
incident_csv_files = _csv_form(
    ["id", "type"],
    sorted(INCIDENT_COLUMNS) + ["event_date", "latitude", "longitude"],
    st.one_of(st.sampled_from(vocabulary("incident_types")), CELLS, NUMBERS.map(str)),
)
ACLED_EXTRA = ["fatalities", "latitude", "longitude", "notes", "timestamp", "time_precision",
               "geo_precision", "location", "admin1"]  # fmt: skip
acled_files = _csv_form(
    list(ACLED_REQUIRED),
    ACLED_EXTRA,
    st.one_of(
        st.sampled_from(["Battles", "Armed clash", "Remote explosive/landmine/IED", "SYR1"]),
        CELLS,
        NUMBERS.map(str),
    ),
)
acled_deletion_files = _csv_form(list(ACLED_DELETIONS_HEADER), [], CELLS)
gtd_files = _csv_form(
    list(GTD_REQUIRED),
    ["nkill", "latitude", "longitude", "summary", "city", "suicide", "specificity"],
    st.one_of(
        st.sampled_from(["0", "1", "2019", "Bombing/Explosion", "Assassination"]),
        CELLS,
        NUMBERS.map(str),
    ),
)

FORMATS = {
    "jsonl": jsonl_files(),
    "ftm": ftm_files(),
    "reports_csv": report_csv_files,
    "entities_csv": entity_csv_files,
    "relations_csv": relation_csv_files,
    "incidents_csv": incident_csv_files,
    "acled": acled_files,
    "acled_deletions": acled_deletion_files,
    "gtd": gtd_files,
}
