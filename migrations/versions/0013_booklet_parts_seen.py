"""the parts of the booklet a child has been through: a part saved with Save and continue is Done even with
its boxes left empty, and Continue goes to the first part not yet seen

Revision ID: b1c0e0d8e008
Revises: a7b0c0d7e007
Create Date: 2026-12-01 04:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b1c0e0d8e008'
down_revision = 'a7b0c0d7e007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('booklet_part_seen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booklet_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=30), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booklet_id'], ['booklet.id'], name=op.f('fk_booklet_part_seen_booklet_id_booklet')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booklet_part_seen')),
    sa.UniqueConstraint('booklet_id', 'section', name=op.f('uq_booklet_part_seen_booklet_id'))
    )
    with op.batch_alter_table('booklet_part_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booklet_part_seen_booklet_id'), ['booklet_id'], unique=False)


def downgrade():
    with op.batch_alter_table('booklet_part_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booklet_part_seen_booklet_id'))
    op.drop_table('booklet_part_seen')
