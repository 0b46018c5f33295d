"""workbench cases carry compartments: a case is read only by callers holding every one of them

A case records the compartments its author held when saving it (`workbench_case.compartments`,
comma-joined and sorted; '' when the author held none), since its state (selection, notes, entity
ids) was made from what those compartments show. Cases saved before this revision get every
compartment the store knows (of its reports, judgements and users' holdings): the safe default.
On PostgreSQL the reader role may read the case tables under a row-level security policy stating
the same rule (a second line, as revision 0003 does for the case's evidence).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ROLE = "cellmap_reader"
HELD = "string_to_array(current_setting('cellmap.compartments', true), ',')"
# '' splits into an empty array, held by everyone; an unset setting (NULL) holds nothing
CASE_RULE = f"string_to_array(compartments, ',') <@ {HELD}"
# the case read in the rule is policed itself
VERSION_RULE = "EXISTS (SELECT 1 FROM workbench_case c WHERE c.id = workbench_case_version.case_id)"
POLICIES = {"workbench_case": CASE_RULE, "workbench_case_version": VERSION_RULE}


def upgrade() -> None:
    with op.batch_alter_table("workbench_case") as batch:
        batch.add_column(sa.Column("compartments", sa.Text(), nullable=True))
    bind = op.get_bind()
    known = sorted(
        {
            name
            for (name,) in bind.execute(
                sa.text(
                    "SELECT compartment FROM report UNION SELECT compartment FROM judgement "
                    "UNION SELECT compartment FROM user_compartment"
                )
            )
        }
    )
    bind.execute(sa.text("UPDATE workbench_case SET compartments = :all"), {"all": ",".join(known)})
    with op.batch_alter_table("workbench_case") as batch:
        batch.alter_column("compartments", existing_type=sa.Text(), nullable=False)
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN "
        f"EXECUTE 'GRANT SELECT ON {', '.join(POLICIES)} TO {ROLE}'; END IF; END $$"
    )
    for table, rule in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN "
            f"EXECUTE 'CREATE POLICY compartment_read ON {table} FOR SELECT TO {ROLE} "
            f"USING ({rule.replace(chr(39), chr(39) * 2)})'; END IF; END $$"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in POLICIES:
            op.execute(f"DROP POLICY IF EXISTS compartment_read ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    with op.batch_alter_table("workbench_case") as batch:
        batch.drop_column("compartments")
