"""incident.mapping as text: the mapping's name with the rules it applied is often longer than 64
characters (an ACLED jail-attack rule alone is), which PostgreSQL refused (found by fuzzing).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.alter_column("mapping", type_=sa.Text(), existing_type=sa.String(64))


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.alter_column("mapping", type_=sa.String(64), existing_type=sa.Text())
