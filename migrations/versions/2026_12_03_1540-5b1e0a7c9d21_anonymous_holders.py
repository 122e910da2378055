"""anonymous holders: bot processes holding anonymous content in memory check in here

Revision ID: 5b1e0a7c9d21
Revises: 6e53ee7294a8
Create Date: 2026-12-03 15:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = '5b1e0a7c9d21'
down_revision: str | Sequence[str] | None = '6e53ee7294a8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'anonymous_holders',
        sa.Column('token', sa.String(length=16), nullable=False),
        sa.Column('seen_at', bot.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_anonymous_holders')),
    )


def downgrade() -> None:
    op.drop_table('anonymous_holders')
