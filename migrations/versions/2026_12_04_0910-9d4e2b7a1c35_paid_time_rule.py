"""paid time rule: a panel pays for people's time by the hour or by the session

The claim form used to ask the member which; the panel's rule is now one column of its expense
policy ("hours" unless set: `panelbot expenses rates <panel> --paid-time sessions`).

Revision ID: 9d4e2b7a1c35
Revises: d4e8b2a61f37
Create Date: 2026-12-04 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9d4e2b7a1c35'
down_revision: str | Sequence[str] | None = 'd4e8b2a61f37'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('expense_policies') as batch:
        batch.add_column(
            sa.Column('paid_time', sa.String(length=16), server_default='hours', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('expense_policies') as batch:
        batch.drop_column('paid_time')
