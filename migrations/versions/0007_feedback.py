"""feedback after the review: form versions as data, invitations (that they were returned, never when),
anonymous responses and answers (sentiment, themes, quotes), the comments' theme lexicon

Revision ID: c1f0e0d1a001
Revises: b6f2a1d3e5c7
Create Date: 2026-11-30 19:16:48

"""
import sqlalchemy as sa
from alembic import op

import portal.timeutil

# revision identifiers, used by Alembic.
revision = 'c1f0e0d1a001'
down_revision = 'b6f2a1d3e5c7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feedback_reminder_working_days', sa.Integer(), server_default='5', nullable=False))
        batch_op.add_column(sa.Column('handover_minutes', sa.Integer(), server_default='15', nullable=False))
    op.create_table('feedback_theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('phrases', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_theme')),
    sa.UniqueConstraint('key', name=op.f('uq_feedback_theme_key'))
    )
    op.create_table('feedback_form_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=20), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_feedback_form_version_created_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_form_version')),
    sa.UniqueConstraint('group', 'number', name=op.f('uq_feedback_form_version_group'))
    )
    op.create_table('feedback_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=20), nullable=False),
    sa.Column('meeting_kind', sa.String(length=12), nullable=True),
    sa.Column('agency', sa.String(length=20), nullable=True),
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('week_starting', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['form_version_id'], ['feedback_form_version.id'], name=op.f('fk_feedback_response_form_version_id_feedback_form_version')),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_feedback_response_review_id_review')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_response'))
    )
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_response_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_response_week_starting'), ['week_starting'], unique=False)

    op.create_table('feedback_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('sentiment', sa.Float(), nullable=True),
    sa.Column('sentiment_corrected', sa.Boolean(), nullable=False),
    sa.Column('themes', sa.String(length=400), nullable=True),
    sa.Column('themes_corrected', sa.Boolean(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('fit_to_quote', sa.Boolean(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('question_key', sa.String(length=60), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('value_choice', sa.String(length=40), nullable=True),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['feedback_response.id'], name=op.f('fk_feedback_answer_response_id_feedback_response')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_answer')),
    sa.UniqueConstraint('response_id', 'question_key', name=op.f('uq_feedback_answer_response_id'))
    )
    with op.batch_alter_table('feedback_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_answer_response_id'), ['response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_answer_value_choice'), ['value_choice'], unique=False)

    op.create_table('feedback_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=20), nullable=False),
    sa.Column('recipient_ref', sa.String(length=64), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('description', sa.String(length=120), nullable=True),
    sa.Column('contact', sa.String(length=254), nullable=True),
    sa.Column('sent_at', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('remind_on', sa.Date(), nullable=True),
    sa.Column('reminded_at', portal.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned', sa.Boolean(), nullable=False),
    sa.Column('contact_deleted_at', portal.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['private_link.id'], name=op.f('fk_feedback_invitation_link_id_private_link')),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_feedback_invitation_review_id_review')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_invitation'))
    )
    with op.batch_alter_table('feedback_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_invitation_review_id'), ['review_id'], unique=False)



def downgrade():
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.drop_column('handover_minutes')
        batch_op.drop_column('feedback_reminder_working_days')
    with op.batch_alter_table('feedback_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_invitation_review_id'))

    op.drop_table('feedback_invitation')
    with op.batch_alter_table('feedback_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_answer_value_choice'))
        batch_op.drop_index(batch_op.f('ix_feedback_answer_response_id'))

    op.drop_table('feedback_answer')
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_response_week_starting'))
        batch_op.drop_index(batch_op.f('ix_feedback_response_review_id'))

    op.drop_table('feedback_response')
    op.drop_table('feedback_form_version')
    op.drop_table('feedback_theme')
