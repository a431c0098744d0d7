"""drop ix_indicatorvalue_indicator_id: the unique constraint's index leads with indicator_id
and serves the same lookups (and the foreign key's cascade), so every imported value paid
for maintaining a second copy

Revision ID: 0813
Revises: 0812
Create Date: 2026-12-02 22:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0813'
down_revision: str | None = '0812'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_indicatorvalue_indicator_id', table_name='indicatorvalue')


def downgrade() -> None:
    op.create_index('ix_indicatorvalue_indicator_id', 'indicatorvalue', ['indicator_id'])
