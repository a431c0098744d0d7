"""feed changes: which meetings each rise of the feed counter was about, and the stored feed's
segments, so that a feed is brought up to date by re-rendering only the changed meetings

Revision ID: 0814
Revises: 0813
Create Date: 2026-12-03 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0814'
down_revision: str | None = '0813'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('feedchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedchange'))
    )
    op.create_index('ix_feedchange_municipality_counter', 'feedchange',
                    ['municipality_id', 'counter'])
    with op.batch_alter_table('feedstate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('base', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('counter', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('segments', sa.LargeBinary(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        # A feed's bytes are rewritten after every change: compressing megabytes of text on
        # each write (TOAST's default) cost more than the rest of the update.
        op.execute('ALTER TABLE feedstate ALTER COLUMN body SET STORAGE EXTERNAL, '
                   'ALTER COLUMN segments SET STORAGE EXTERNAL')


def downgrade() -> None:
    with op.batch_alter_table('feedstate', schema=None) as batch_op:
        batch_op.drop_column('segments')
        batch_op.drop_column('counter')
        batch_op.drop_column('base')
    op.drop_index('ix_feedchange_municipality_counter', table_name='feedchange')
    op.drop_table('feedchange')
