"""The store's tables (SQLAlchemy Core). This is the schema at the newest Alembic revision.

Everything is a statement with provenance: a property value (`statement`), a relationship (`relation`)
or an incident version (`incident`), each pointing at the `report` it came from. Rows are never
updated in place by an import: a conflicting claim is another row. `fingerprint` (SHA-1 of the
statement's content and report) makes re-importing the same record from the same report a no-op.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

import_batch = Table(
    "import_batch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("files", Text, nullable=False),  # JSON list of file names
    Column("counts", Text),  # JSON: rows added per table
)

report = Table(
    "report",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(255), nullable=False, unique=True),
    Column("title", Text),
    Column("kind", String(64), nullable=False),
    Column("date", Date),
    Column("source", Text),
    Column("reliability", String(1), nullable=False),
    Column("credibility", Integer, nullable=False),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("import_id", ForeignKey("import_batch.id")),
    # Who may read what the report says: a user sees its statements only when they hold this compartment.
    Column("compartment", String(64), nullable=False, server_default="default", index=True),
)

entity = Table(
    "entity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(255), nullable=False, unique=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("caption", Text),
    Column("recorded_at", DateTime, nullable=False),
    Column("import_id", ForeignKey("import_batch.id")),
)

statement = Table(
    "statement",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(40), nullable=False, unique=True),
    Column("entity_id", ForeignKey("entity.id"), nullable=False, index=True),
    Column("prop", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("report_id", ForeignKey("report.id"), nullable=False, index=True),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("recorded_at", DateTime, nullable=False),
    Column("import_id", ForeignKey("import_batch.id")),
)

relation = Table(
    "relation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(40), nullable=False, unique=True),
    Column("key", String(255), index=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("source_id", ForeignKey("entity.id"), nullable=False, index=True),
    Column("target_id", ForeignKey("entity.id"), nullable=False, index=True),
    Column("role", String(64)),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("end_reason", String(32)),
    Column("attrs", Text),  # JSON object of kind-specific values (amount, date, count, outcome…)
    Column("report_id", ForeignKey("report.id"), nullable=False, index=True),
    Column("recorded_at", DateTime, nullable=False),
    Column("import_id", ForeignKey("import_batch.id")),
)

incident = Table(
    "incident",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(40), nullable=False, unique=True),
    Column("entity_id", ForeignKey("entity.id"), nullable=False, index=True),
    Column("report_id", ForeignKey("report.id"), nullable=False, index=True),
    Column("date", Date),
    Column("date_precision", String(8)),
    Column("lat", Float),
    Column("lon", Float),
    Column("geo_precision", String(16)),
    Column("location", Text),
    Column("admin1", Text),
    Column("admin2", Text),
    Column("admin3", Text),
    Column("country", Text),
    Column("type", String(32), nullable=False),
    Column("sub_type", Text),
    Column("outcome", String(16), nullable=False),
    Column("fatalities", Integer),
    Column("actor1", Text),
    Column("attributed_to", ForeignKey("entity.id")),
    Column("attribution_confidence", Float),
    Column("source_dataset", String(32)),
    Column("source_event_id", String(64), index=True),
    Column("source_codes", Text),  # JSON: the original codes (ACLED event_type, GTD success…)
    Column(
        "mapping", Text
    ),  # which mapping turned them into cellmap's types, with the rules it applied
    Column("notes", Text),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("import_id", ForeignKey("import_batch.id")),
)

judgement = Table(
    "judgement",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("left_id", ForeignKey("entity.id"), nullable=False, index=True),
    Column("right_id", ForeignKey("entity.id"), nullable=False, index=True),
    Column("decision", String(16), nullable=False),  # same | not_same | unsure
    Column("score", Float),
    Column("reasons", Text),  # JSON
    Column("author", String(128), nullable=False),
    Column("decided_at", DateTime, nullable=False),
    Column("automatic", Boolean, nullable=False, default=False),
    # A judgement is seen, and moves clusters, only for users holding its compartment.
    Column("compartment", String(64), nullable=False, server_default="default", index=True),
)

# An admin's retraction of an import: the import's rows stay in the tables, the views no longer read them.
retraction = Table(
    "retraction",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("import_id", ForeignKey("import_batch.id"), nullable=False, unique=True),
    Column("retracted_by", String(128), nullable=False),
    Column("retracted_at", DateTime, nullable=False),
    Column("reason", Text),
)

# --- accounts (cellmap.auth) -------------------------------------------------------------------------

app_user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # viewer | analyst | reviewer | admin
    Column(
        "password_hash", Text
    ),  # Argon2id (PHC string); null: no password login (token or proxy)
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),
)

user_compartment = Table(
    "user_compartment",
    metadata,
    Column("user_id", ForeignKey("app_user.id"), primary_key=True),
    Column("compartment", String(64), primary_key=True),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("app_user.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token, hex
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
    Column("revoked_at", DateTime),
)

web_session = Table(
    "web_session",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("app_user.id"), nullable=False, index=True),
    Column("session_hash", String(64), nullable=False, unique=True),  # SHA-256 of the cookie value
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("seen_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
)

# Append-only: each row's `hash` is SHA-256 over the previous row's hash and this row's content.
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(128), nullable=False),  # user name, or "os:NAME" for a CLI command
    Column("address", String(64)),
    Column("action", String(255), nullable=False),  # route ("GET /api/…") or command ("cellmap …")
    Column("params", Text),  # JSON
    Column("entities", Text),  # JSON list of entity ids a read returned
    Column("status", Integer),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

Index("ix_relation_kind_source_target", relation.c.kind, relation.c.source_id, relation.c.target_id)

# --- the workbench's cases: an analyst's named working set, every save kept as a version ---------
workbench_case = Table(
    "workbench_case",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("view", String(32), nullable=False),  # the view it reopens in (network, map, …)
    Column("author", String(128), nullable=False),
    Column("state", Text, nullable=False),  # JSON: filters, expanded groups, pins, selection, notes
    # The compartments its last author held, comma-joined and sorted: only holders of all read it.
    Column("compartments", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

workbench_case_version = Table(
    "workbench_case_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("workbench_case.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("author", String(128), nullable=False),
    Column("state", Text, nullable=False),
    Column("saved_at", DateTime, nullable=False),
)

# --- the review queue as scored (cellmap.resolve.queue): kept so that a server start does not score
# the candidate pairs again. One queue per state of the records and set of compartments read.
review_queue = Table(
    "review_queue",
    metadata,
    Column("id", Integer, primary_key=True),
    # "imports N, retractions M | scope": the records' state the pairs were scored from
    Column("key", String(255), nullable=False, unique=True),
    Column("scope", String(255), nullable=False),  # "*" (every compartment) or "A,B"
    Column("pairs", Integer, nullable=False),
    Column("seconds", Float, nullable=False),  # how long the scoring took
    Column("scored_at", DateTime, nullable=False),
)

review_candidate = Table(
    "review_candidate",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("queue_id", ForeignKey("review_queue.id"), nullable=False, index=True),
    Column("rank", Integer, nullable=False),  # 0 = best score
    Column("left_id", ForeignKey("entity.id"), nullable=False),
    Column("right_id", ForeignKey("entity.id"), nullable=False),
    Column("score", Float, nullable=False),
    Column("reasons", Text),  # JSON, as the matcher gave them
)
