"""review queue kept in the store: the scored candidate pairs per state of the records and scope, so
that the workbench's first review page after a start reads them instead of scoring for seconds

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("scored_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_queue")),
        sa.UniqueConstraint("key", name=op.f("uq_review_queue_key")),
    )
    op.create_table(
        "review_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("left_id", sa.Integer(), nullable=False),
        sa.Column("right_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["review_queue.id"],
            name=op.f("fk_review_candidate_queue_id_review_queue"),
        ),
        sa.ForeignKeyConstraint(
            ["left_id"], ["entity.id"], name=op.f("fk_review_candidate_left_id_entity")
        ),
        sa.ForeignKeyConstraint(
            ["right_id"], ["entity.id"], name=op.f("fk_review_candidate_right_id_entity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_candidate")),
    )
    op.create_index(op.f("ix_review_candidate_queue_id"), "review_candidate", ["queue_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_review_candidate_queue_id"), table_name="review_candidate")
    op.drop_table("review_candidate")
    op.drop_table("review_queue")
