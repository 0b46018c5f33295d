"""incident.mapping as text: the mapping's name with the rules it applied is often longer than 64
characters (an ACLED jail-attack rule alone is), which PostgreSQL refused (found by fuzzing).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.alter_column("mapping", type_=sa.Text(), existing_type=sa.String(64))


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.alter_column("mapping", type_=sa.String(64), existing_type=sa.Text())
