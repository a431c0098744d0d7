"""audit log and single sign-on

Revision ID: 0805
Revises: 0804
Create Date: 2026-12-02 13:01:54.339067
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import app.db  # noqa: F401  (UTCDateTime)

revision: str = '0805'
down_revision: str | None = '0804'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('auditentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('action', sa.Enum('read', 'search', 'export', 'create', 'update', 'delete', 'login', 'login_refused', name='audit_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('record', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('details', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auditentry'))
    )
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditentry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_record'), ['record'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_user_id'), ['user_id'], unique=False)

    op.create_table('ssosettings',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('secret_env', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('allowed_domains', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('role_claim', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('role_map', sa.Text(), nullable=False),
    sa.Column('allow_create', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_ssosettings_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ssosettings')),
    sa.UniqueConstraint('municipality_id', name=op.f('uq_ssosettings_municipality_id'))
    )


def downgrade() -> None:
    op.drop_table('ssosettings')
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditentry_user_id'))
        batch_op.drop_index(batch_op.f('ix_auditentry_school_id'))
        batch_op.drop_index(batch_op.f('ix_auditentry_record'))
        batch_op.drop_index(batch_op.f('ix_auditentry_person_id'))
        batch_op.drop_index(batch_op.f('ix_auditentry_at'))

    op.drop_table('auditentry')
