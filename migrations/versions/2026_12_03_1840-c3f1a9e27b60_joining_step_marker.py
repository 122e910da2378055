"""joining step marker: "name" becomes "joining:name" (joining is a form on the engine)

Someone half-way through joining when this runs carries on where they were: their typed
answer or tap reaches the joining form. (/start offers their place from the form's draft,
which older joinings do not have: they start the questions again, their answers kept.)

Revision ID: c3f1a9e27b60
Revises: b7e2c41d9a53
Create Date: 2026-12-03 18:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c3f1a9e27b60'
down_revision: str | Sequence[str] | None = 'b7e2c41d9a53'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The joining steps as they were stored before (bot/services/onboarding.py's old Step).
OLD_STEPS = (
    'language',
    'about',
    'consent',
    'name',
    'easy_read',
    'reminders',
    'quiet',
    'access',
    'access_other',
    'payment',
)
PREFIX = 'joining:'
members = sa.table('members', sa.column('conversation_step', sa.String))
step = members.c.conversation_step


def upgrade() -> None:
    op.execute(members.update().where(step.in_(OLD_STEPS)).values(conversation_step=PREFIX + step))


def downgrade() -> None:
    op.execute(
        members.update()
        .where(step.in_([PREFIX + s for s in OLD_STEPS]))
        .values(conversation_step=sa.func.substr(step, len(PREFIX) + 1))
    )
