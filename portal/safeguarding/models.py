"""Word lists, concerns with their snapshots, and the child's messages to their IRO."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

# The categories every language's built-in list fills; 'other' holds local words that fit none.
CATEGORIES = ("suicide_self_harm", "physical_harm", "sexual_harm", "neglect", "missing", "exploitation",
              "bullying_online", "drugs_alcohol")
LOCAL_CATEGORIES = CATEGORIES + ("other",)
# Where a concern's words came from (no foreign key: a feature's rows may go, the concern stays).
SOURCE_KINDS = ("booklet_answer", "child_message", "voice_caption", "feedback_answer", "consultation_answer")


class ScreeningEntry(db.Model):
    """A word or phrase that marks free text urgent: built in (shipped with the code) or local."""

    __tablename__ = "screening_entry"
    __table_args__ = (UniqueConstraint("language", "phrase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(30), index=True)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class UrgentConcern(db.Model):
    """Something a child wrote that may need a person now: the council's safeguarding record.

    The snapshot is the text as it was when flagged, with the matched words; it is never changed or
    deleted when the child edits or withdraws what they wrote (the 'latest' columns say what
    happened to it since).
    """

    __tablename__ = "urgent_concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    source_kind: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[int | None] = mapped_column()
    # 'unsafe_question' (a choice such as "No, I do not feel safe") or 'word_list'
    reason: Mapped[str] = mapped_column(String(20))
    categories: Mapped[str] = mapped_column(String(300), default="")
    snapshot_label: Mapped[str] = mapped_column(Text, default="")
    snapshot_text: Mapped[str] = mapped_column(Text, default="")
    snapshot_matches: Mapped[list] = mapped_column(JSON, default=list)
    latest_text: Mapped[str | None] = mapped_column(Text)
    latest_matches: Mapped[list | None] = mapped_column(JSON)
    latest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    source_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    escalate_after: Mapped[datetime] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    acknowledgement_note: Mapped[str] = mapped_column(Text, default="")

    review = relationship("Review")

    @property
    def category_list(self) -> list[str]:
        return [c for c in (self.categories or "").split(",") if c]


class ChildMessage(db.Model):
    """'I want to tell my IRO something', sent from the child's link at any time."""

    __tablename__ = "child_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # One message per submitted form, however many times Send is pressed.
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MessageDraft(db.Model):
    """A message being written, saved as the child types, until it is sent."""

    __tablename__ = "message_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), unique=True)
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
