"""workbench cases: named working sets of the workbench, every save kept as a version

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 09:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workbench_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("view", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workbench_case")),
    )
    op.create_table(
        "workbench_case_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["workbench_case.id"],
            name=op.f("fk_workbench_case_version_case_id_workbench_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workbench_case_version")),
    )
    op.create_index(
        op.f("ix_workbench_case_version_case_id"), "workbench_case_version", ["case_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_workbench_case_version_case_id"), table_name="workbench_case_version")
    op.drop_table("workbench_case_version")
    op.drop_table("workbench_case")
