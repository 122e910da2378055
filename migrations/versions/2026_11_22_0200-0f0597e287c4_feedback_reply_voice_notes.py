"""feedback reply voice notes: coordinators and members can answer with a voice note

Revision ID: 0f0597e287c4
Revises: a17addd3cea2
Create Date: 2026-11-22 01:52:20.296559+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = '0f0597e287c4'
down_revision: str | Sequence[str] | None = 'a17addd3cea2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('feedback_replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voice_file_id', sa.String(length=200), nullable=True))
        batch_op.alter_column('text',
               existing_type=sa.TEXT(),
               nullable=True)


def downgrade() -> None:
    # A reply that was only a voice note keeps a marker, so the column can be required again.
    op.execute("UPDATE feedback_replies SET text = '(voice note)' WHERE text IS NULL")
    with op.batch_alter_table('feedback_replies', schema=None) as batch_op:
        batch_op.alter_column('text',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('voice_file_id')
