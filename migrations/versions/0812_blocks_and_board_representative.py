"""step blocks (back to back in half days) and the municipality's choice to invite the
school board's representative to the dialogue

Revision ID: 0812
Revises: 0811
Create Date: 2026-12-02 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0812'
down_revision: str | None = '0811'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ('templatestep', 'step'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('blocks', sa.Integer(), nullable=True))
    with op.batch_alter_table('municipality') as batch:
        batch.add_column(sa.Column('invites_board_representative', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table('municipality') as batch:
        batch.alter_column('invites_board_representative', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('municipality') as batch:
        batch.drop_column('invites_board_representative')
    for table in ('step', 'templatestep'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('blocks')
