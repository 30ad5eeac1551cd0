"""the administrator's choice to hide small numbers in the service's own counts too (reviews, participation
codes, timeliness, urgent concerns), off by default as the DfE publishes councils' counts as they are

Revision ID: a7b0c0d7e007
Revises: f6a0b0c6e006
Create Date: 2026-11-30 23:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7b0c0d7e007'
down_revision = 'f6a0b0c6e006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suppress_service_counts', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.drop_column('suppress_service_counts')
