"""the booklet keeps where its invitation went (channel and address) while the review is planned,
so a reminder needs no retyping; cleared when the review is held or cancelled

Revision ID: b6f2a1d3e5c7
Revises: a5e1f0c2d4b6
Create Date: 2026-11-30 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b6f2a1d3e5c7'
down_revision = 'a5e1f0c2d4b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booklet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_channel', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('contact_address', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('booklet', schema=None) as batch_op:
        batch_op.drop_column('contact_address')
        batch_op.drop_column('contact_channel')
