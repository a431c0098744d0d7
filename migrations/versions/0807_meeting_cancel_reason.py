"""meeting cancel reason

Revision ID: 0807
Revises: 0806
Create Date: 2026-12-02 13:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0807'
down_revision: str | None = '0806'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meeting') as batch:
        batch.add_column(sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=300),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('meeting') as batch:
        batch.drop_column('cancel_reason')
