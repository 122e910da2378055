"""text versions: coordinators' own words (polls, meetings, "You said, we did") per language

Revision ID: b7e2c41d9a53
Revises: 5b1e0a7c9d21
Create Date: 2026-12-03 16:25:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = 'b7e2c41d9a53'
down_revision: str | Sequence[str] | None = '5b1e0a7c9d21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'text_versions',
        sa.Column('id', bot.db.base.BigId, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('object_id', sa.BigInteger(), nullable=False),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_text_versions')),
    )
    op.create_index(
        'ix_text_versions_key',
        'text_versions',
        ['kind', 'object_id', 'field', 'language'],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index('ix_text_versions_key', table_name='text_versions')
    op.drop_table('text_versions')
