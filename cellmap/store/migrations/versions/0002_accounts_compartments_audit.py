"""accounts, compartments, retractions and the audit chain

Reports and judgements get a compartment (existing rows: `default`); users, their compartments, API
tokens (hashes only) and web sessions; an import's retraction; the append-only audit table, whose
UPDATE and DELETE are refused by triggers (the SHA-256 chain detects an edit made around them).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit rows are append-only"


def upgrade() -> None:
    for table in ("report", "judgement"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("compartment", sa.String(64), nullable=False, server_default="default")
            )
            batch.create_index(f"ix_{table}_compartment", ["compartment"])
    op.create_table(
        "retraction",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "import_id",
            sa.Integer(),
            sa.ForeignKey("import_batch.id", name="fk_retraction_import_id_import_batch"),
            nullable=False,
        ),
        sa.Column("retracted_by", sa.String(128), nullable=False),
        sa.Column("retracted_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.UniqueConstraint("import_id", name="uq_retraction_import_id"),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text()),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("name", name="uq_app_user_name"),
    )
    op.create_table(
        "user_compartment",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", name="fk_user_compartment_user_id_app_user"),
            primary_key=True,
        ),
        sa.Column("compartment", sa.String(64), primary_key=True),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", name="fk_api_token_user_id_app_user"),
            nullable=False,
            index=True,
        ),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime()),
        sa.Column("revoked_at", sa.DateTime()),
        sa.UniqueConstraint("token_hash", name="uq_api_token_token_hash"),
    )
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", name="fk_web_session_user_id_app_user"),
            nullable=False,
            index=True,
        ),
        sa.Column("session_hash", sa.String(64), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime()),
        sa.UniqueConstraint("session_hash", name="uq_web_session_session_hash"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("address", sa.String(64)),
        sa.Column("action", sa.String(255), nullable=False),
        sa.Column("params", sa.Text()),
        sa.Column("entities", sa.Text()),
        sa.Column("status", sa.Integer()),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION cellmap_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
            "FOR EACH ROW EXECUTE FUNCTION cellmap_audit_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_append_only_{event.lower()} BEFORE {event} ON audit "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_append_only ON audit")
        op.execute("DROP FUNCTION cellmap_audit_append_only()")
    for table in (
        "audit",
        "web_session",
        "api_token",
        "user_compartment",
        "app_user",
        "retraction",
    ):
        op.drop_table(table)
    for table in ("judgement", "report"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_compartment")
            batch.drop_column("compartment")
