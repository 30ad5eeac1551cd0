"""The booklet, its answers (one narrow typed row each), sharing and voice notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.questionnaires.models import AnswerColumns
from portal.timeutil import UTCDateTime, utcnow

VERSIONS = ("4-7", "4-11", "12-17")


class Booklet(db.Model):
    __tablename__ = "booklet"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), unique=True)
    version: Mapped[str] = mapped_column(String(8))
    question_set: Mapped[str] = mapped_column(String(20))
    # Who chose the version: 'age', 'iro' or 'child'.
    version_chosen_by: Mapped[str] = mapped_column(String(8), default="age")
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Where the last invitation went ('email' or 'sms', and the address as normalised), so a reminder
    # needs no retyping. Kept only while the review is planned (cleared when it is held or cancelled,
    # and when the IRO stops the links), and only ever shown back masked.
    contact_channel: Mapped[str | None] = mapped_column(String(8))
    contact_address: Mapped[str | None] = mapped_column(String(254))

    review = relationship("Review", back_populates="booklet")
    answers: Mapped[list[BookletAnswer]] = relationship(back_populates="booklet",
                                                          cascade="all, delete-orphan")


class BookletAnswer(AnswerColumns, db.Model):
    """One answer (the shared AnswerColumns): exactly one of the value columns is used, so SQL can count choices.

    Its state is 'answered', 'skipped' or 'tell_iro' (I'd rather tell my IRO myself).
    """

    __tablename__ = "booklet_answer"
    __table_args__ = (
        UniqueConstraint("booklet_id", "question_key"),
        # The collated figures count the period's booklets' answers by question and option (read from the index).
        Index("ix_booklet_answer_booklet_answered", "booklet_id", "state", "question_key", "value_choice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booklet_id: Mapped[int] = mapped_column(ForeignKey("booklet.id"), index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)

    booklet: Mapped[Booklet] = relationship(back_populates="answers")


class SectionSharing(db.Model):
    """The child's opt-in to share a section beyond their IRO (off by default)."""

    __tablename__ = "section_sharing"
    __table_args__ = (UniqueConstraint("booklet_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booklet_id: Mapped[int] = mapped_column(ForeignKey("booklet.id"), index=True)
    section: Mapped[str] = mapped_column(String(30))
    social_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    carer: Mapped[bool] = mapped_column(Boolean, default=False)


class PartSeen(db.Model):
    """A part of the booklet the child has been through (saved it with Save and continue, even with nothing
    written): it is 'Done', and Continue goes past it. One row per part, made once."""

    __tablename__ = "booklet_part_seen"
    __table_args__ = (UniqueConstraint("booklet_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booklet_id: Mapped[int] = mapped_column(ForeignKey("booklet.id"), index=True)
    section: Mapped[str] = mapped_column(String(30))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VoiceNote(db.Model):
    __tablename__ = "voice_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    booklet_id: Mapped[int] = mapped_column(ForeignKey("booklet.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(60))
    mime_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
