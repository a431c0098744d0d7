"""debrief keywords (the year summary)

Revision ID: 0804
Revises: 0803
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db  # noqa: F401  (UTCDateTime)

revision: str = '0804'
down_revision: str | None = '0803'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'debriefkeywords',
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('school_year_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'],
                                name=op.f('fk_debriefkeywords_meeting_id_meeting'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'],
                                name=op.f('fk_debriefkeywords_school_id_school'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_year_id'], ['schoolyear.id'],
                                name=op.f('fk_debriefkeywords_school_year_id_schoolyear'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_debriefkeywords')),
        sa.UniqueConstraint('meeting_id', name=op.f('uq_debriefkeywords_meeting_id')),
    )
    with op.batch_alter_table('debriefkeywords', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_debriefkeywords_school_year_id'), ['school_year_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('debriefkeywords', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_debriefkeywords_school_year_id'))
    op.drop_table('debriefkeywords')
