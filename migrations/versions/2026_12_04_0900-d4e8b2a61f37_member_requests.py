"""member requests: questions and requests to coordinators, answered with Reply; which language
an interpreter is needed in

Revision ID: d4e8b2a61f37
Revises: c3f1a9e27b60
Create Date: 2026-12-04 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = 'd4e8b2a61f37'
down_revision: str | Sequence[str] | None = 'c3f1a9e27b60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'member_requests',
        sa.Column('id', bot.db.base.BigId, nullable=False),
        sa.Column('panel_id', bot.db.base.BigId, nullable=False),
        sa.Column('member_id', bot.db.base.BigId, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('about', sa.String(length=64), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('answered_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('answered_by', bot.db.base.BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ['answered_by'],
            ['members.id'],
            name=op.f('fk_member_requests_answered_by_members'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['member_id'],
            ['members.id'],
            name=op.f('fk_member_requests_member_id_members'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['panel_id'],
            ['panels.id'],
            name=op.f('fk_member_requests_panel_id_panels'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_member_requests')),
    )
    op.create_index(
        'ix_member_requests_member_id_kind', 'member_requests', ['member_id', 'kind'], unique=False
    )
    op.create_index(
        op.f('ix_member_requests_panel_id'), 'member_requests', ['panel_id'], unique=False
    )
    with op.batch_alter_table('rsvps') as batch:
        batch.add_column(sa.Column('interpreter_language', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rsvps') as batch:
        batch.drop_column('interpreter_language')
    op.drop_index(op.f('ix_member_requests_panel_id'), table_name='member_requests')
    op.drop_index('ix_member_requests_member_id_kind', table_name='member_requests')
    op.drop_table('member_requests')
