"""sign-in limits and set-password link hours: failed sign-ins counted in the database, shared by
every worker (per account, per address, per account's sign-in codes); how long a set-password link works

Revision ID: a5e1f0c2d4b6
Revises: 7d2f4b1c9e30
Create Date: 2026-11-30 17:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.timeutil


revision = 'a5e1f0c2d4b6'
down_revision = '7d2f4b1c9e30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_failure',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('window_start', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_failure'))
    )
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failure_window_start'), ['window_start'], unique=False)

    # Existing authorities get the default, 24 hours.
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_password_link_hours', sa.Integer(), nullable=False, server_default='24'))


def downgrade():
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.drop_column('set_password_link_hours')

    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_failure_window_start'))
    op.drop_table('sign_in_failure')
