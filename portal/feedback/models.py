"""Feedback after the review: who was asked (invitations), the forms as versioned data, and the answers.

Anonymous for real. A response holds the review, the group, the kind of meeting, the agency (for
professionals), the form version and the week it came in: never a link, an invitation, a person, an
address or an exact time. An invitation records only *that* it was used (`returned`), never when, so
nothing joins a response to the person who was asked (tests/feedback/test_anonymity.py inspects every
table's columns). Contact details on an invitation are kept only until the reminder window closes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.questionnaires.models import AnswerValue
from portal.timeutil import UTCDateTime, utcnow

# Who gives feedback. The young person answers through their own link; the others through one each.
GROUPS = ("young_person", "parent_carer", "professional")
# A professional says which agency they are from (a fixed list, so figures can be compared).
AGENCIES = ("social_care", "health", "education", "police", "housing", "voluntary", "other")
# How an invitation went out.
CHANNELS = ("child_link", "email", "sms", "print", "handover", "qr")


class FeedbackFormVersion(db.Model):
    """One version of one group's form. Never changed once answered: rewording or adding a question
    makes the next version, and each response records the version it answered, so it keeps its wording.

    `questions` is the form as data: a list of {"key", "kind", "prompt": {"en", "cy"}, "hint": {...},
    "options": [{"key", "label": {"en", "cy"}}]} (portal.feedback.questions reads and writes it).
    """

    __tablename__ = "feedback_form_version"
    __table_args__ = (UniqueConstraint("group", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    questions: Mapped[list] = mapped_column(JSON)
    # Who made it (None for the built-in first versions) and when; the newest is the one sent.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FeedbackInvitation(db.Model):
    """One person asked for feedback on one review (or the young person, through their own link).

    `returned` is all it keeps of the answer: not when, not which response. `contact` (an email address
    or a phone number) and `description` (how the IRO knows them: "Mum", "School nurse") are deleted
    when the reminder window closes (`contact_deleted_at`).
    """

    __tablename__ = "feedback_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    group: Mapped[str] = mapped_column(String(20))
    # An opaque id within the review and group ("parent-1"), as on the private link: never a name.
    recipient_ref: Mapped[str] = mapped_column(String(64))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("private_link.id"))
    channel: Mapped[str] = mapped_column(String(12))
    description: Mapped[str | None] = mapped_column(String(120))
    contact: Mapped[str | None] = mapped_column(String(254))
    # Indexed: the return rates count a period's invitations.
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The working day a reminder is due (None: no reminder, e.g. printed or handed over at the meeting).
    remind_on: Mapped[date | None] = mapped_column(Date)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    review = relationship("Review")


class FeedbackResponse(db.Model):
    """One returned form: nothing here says who sent it, or exactly when."""

    __tablename__ = "feedback_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    group: Mapped[str] = mapped_column(String(20))
    # The kind of meeting: 'first', 'second' or 'subsequent' review.
    meeting_kind: Mapped[str | None] = mapped_column(String(12))
    agency: Mapped[str | None] = mapped_column(String(20))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("feedback_form_version.id"))
    # The Monday (London) of the week it came in.
    week_starting: Mapped[date] = mapped_column(Date, index=True)

    form_version = relationship(FeedbackFormVersion)
    answers: Mapped[list[FeedbackAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class FeedbackAnswer(AnswerValue, db.Model):
    """One answer on a returned form. A comment (free text) also carries what the portal made of it and
    what a manager corrected: its sentiment, its themes, and a quote fit for a report."""

    __tablename__ = "feedback_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_key"),
        # The collated figures count a period's answers by question and option: from the period's responses, every
        # column they group on is in this index (read without the table's rows).
        Index("ix_feedback_answer_response_answered", "response_id", "state", "question_key", "value_choice"),
        # The few comments fit to quote, found without reading the others.
        Index("ix_feedback_answer_fit_to_quote", "fit_to_quote"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("feedback_response.id"), index=True)
    # TextBlob's polarity, -1 (negative) to 1 (positive); a manager's correction replaces it.
    sentiment: Mapped[float | None] = mapped_column(Float)
    sentiment_corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    # Theme keys (portal.feedback themes), comma-separated; a manager's correction replaces them.
    themes: Mapped[str | None] = mapped_column(String(400))
    themes_corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    # The words as a manager edited them to be quoted (identifying details taken out), once approved.
    quote: Mapped[str | None] = mapped_column(Text)
    fit_to_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    # Words of harm in a comment reach a person (safeguarding), like any child's words.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)

    response: Mapped[FeedbackResponse] = relationship(back_populates="answers")


class FeedbackTheme(db.Model):
    """A theme of the comments lexicon ("reports late or not shared", "listened to" …) and the words
    that find it; a manager can edit them, add one or switch one off."""

    __tablename__ = "feedback_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    # One phrase per line; matched as the screening matches (folded, whole words).
    phrases: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
