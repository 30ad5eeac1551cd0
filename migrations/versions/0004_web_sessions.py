"""web sessions in the database: server-side sessions without Redis, indexed on expiry

Revision ID: 7d2f4b1c9e30
Revises: 5c1e0a9d3b27
Create Date: 2026-11-30 16:10:00

"""
from alembic import op
import sqlalchemy as sa

import portal.timeutil


revision = '7d2f4b1c9e30'
down_revision = '5c1e0a9d3b27'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('web_session',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('expires_at', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_session'))
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_session_expires_at'))
    op.drop_table('web_session')
