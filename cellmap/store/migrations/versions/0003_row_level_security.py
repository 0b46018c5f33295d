"""PostgreSQL row-level security: the compartment rule again, under the views (a second line)

A reader role (`cellmap_reader`) may only SELECT the case tables, and their policies let it see a
row only when its report's compartment is in the transaction's `cellmap.compartments` setting
(`Store.session(visible=…)` sets both with SET LOCAL). Unset setting: no row. The login that runs
the migration becomes a member of the role, so the server can take it per transaction. Without the
privilege to create a role, the migration leaves a notice and the views remain the one gate.
SQLite has no row-level security: nothing to do there.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ROLE = "cellmap_reader"
HELD = "string_to_array(current_setting('cellmap.compartments', true), ',')"
VIA_REPORT = (
    f"EXISTS (SELECT 1 FROM report r WHERE r.id = report_id AND r.compartment = ANY ({HELD}))"
)
POLICIES = {
    "report": f"compartment = ANY ({HELD})",
    "judgement": f"compartment = ANY ({HELD})",
    "statement": VIA_REPORT,
    "relation": VIA_REPORT,
    "incident": VIA_REPORT,
    # an entity exists for the reader when a row it may see names it (those rows are policed too)
    "entity": (
        "EXISTS (SELECT 1 FROM statement s WHERE s.entity_id = entity.id) "
        "OR EXISTS (SELECT 1 FROM relation x WHERE x.source_id = entity.id OR x.target_id = entity.id) "
        "OR EXISTS (SELECT 1 FROM incident i WHERE i.entity_id = entity.id "
        "OR i.attributed_to = entity.id)"
    ),
}
READABLE = [*POLICIES, "import_batch", "retraction"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        DO $$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN
            CREATE ROLE {ROLE} NOLOGIN;
          END IF;
          EXECUTE format('GRANT {ROLE} TO %I', current_user);
        EXCEPTION WHEN insufficient_privilege THEN
          RAISE NOTICE 'cellmap: cannot create or grant role {ROLE}; row-level security stays off';
        END $$;
        """
    )
    op.execute(
        f"""
        DO $$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO {ROLE}', current_schema());
            EXECUTE 'GRANT SELECT ON {", ".join(READABLE)} TO {ROLE}';
          END IF;
        END $$;
        """
    )
    for table, rule in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        # Only the reader is narrowed; the owner (imports, the operator's CLI) reads and writes all.
        op.execute(
            f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN "
            f"EXECUTE 'CREATE POLICY compartment_read ON {table} FOR SELECT TO {ROLE} "
            f"USING ({rule.replace(chr(39), chr(39) * 2)})'; END IF; END $$"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in POLICIES:
        op.execute(f"DROP POLICY IF EXISTS compartment_read ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
