"""agenda and document settings: the conditions the sources leave open, the ministry's name,
the Word documents' margins

Revision ID: 0811
Revises: 0810
Create Date: 2026-12-02 17:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0811'
down_revision: str | None = '0810'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table('agendasettings') as batch:
        batch.add_column(sa.Column('village_item_for', _enum('village_item_for', 'all', 'village'),
                                   nullable=False, server_default='all'))
        batch.add_column(sa.Column(
            'large_special_department',
            _enum('large_special_department', 'special_classes', 'none'),
            nullable=False, server_default='special_classes'))
        batch.add_column(sa.Column('ministry_name', _enum('ministry_name', 'source', 'current'),
                                   nullable=False, server_default='source'))
        for side, mm in (('top', '25'), ('bottom', '25'), ('left', '25'), ('right', '20')):
            batch.add_column(sa.Column(f'margin_{side}_mm', sa.Integer(), nullable=False,
                                       server_default=mm))
    with op.batch_alter_table('agendasettings') as batch:
        for column in ('village_item_for', 'large_special_department', 'ministry_name',
                       'margin_top_mm', 'margin_bottom_mm', 'margin_left_mm', 'margin_right_mm'):
            batch.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('agendasettings') as batch:
        for name in ('village_item_for', 'large_special_department', 'ministry_name'):
            batch.drop_constraint(name, type_='check')
        for column in ('margin_right_mm', 'margin_left_mm', 'margin_bottom_mm', 'margin_top_mm',
                       'ministry_name', 'large_special_department', 'village_item_for'):
            batch.drop_column(column)
