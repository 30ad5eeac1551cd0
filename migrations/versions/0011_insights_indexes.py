"""the collated views fast at scale: a period's answers counted by question and option from an index holding every
column they group on (booklet_answer, feedback_answer); reviews found by their meeting, feedback invitations by
when they were sent, and the comments fit to quote

Revision ID: f6a0b0c6e006
Revises: e5a0b0c5e005
Create Date: 2026-11-30 23:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f6a0b0c6e006'
down_revision = 'e5a0b0c5e005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booklet_answer', schema=None) as batch_op:
        batch_op.create_index('ix_booklet_answer_booklet_answered',
                              ['booklet_id', 'state', 'question_key', 'value_choice'], unique=False)

    with op.batch_alter_table('feedback_answer', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_answer_response_answered',
                              ['response_id', 'state', 'question_key', 'value_choice'], unique=False)
        batch_op.create_index('ix_feedback_answer_fit_to_quote', ['fit_to_quote'], unique=False)

    with op.batch_alter_table('feedback_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_invitation_sent_at'), ['sent_at'], unique=False)

    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_meeting_at'), ['meeting_at'], unique=False)


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_meeting_at'))

    with op.batch_alter_table('feedback_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_invitation_sent_at'))

    with op.batch_alter_table('feedback_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_answer_fit_to_quote')
        batch_op.drop_index('ix_feedback_answer_response_answered')

    with op.batch_alter_table('booklet_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_booklet_answer_booklet_answered')
