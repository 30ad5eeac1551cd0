"""private links know who they were sent to within their audience (an opaque id, never a name),
so a new link for one parent stops only that parent's earlier link

Revision ID: 5c1e0a9d3b27
Revises: 22772aa315ec
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e0a9d3b27'
down_revision = '22772aa315ec'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('private_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_ref', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('private_link', schema=None) as batch_op:
        batch_op.drop_column('recipient_ref')
