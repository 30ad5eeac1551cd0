"""Parents' and carers' views before the review: one consultation per person asked, and its answers.

Not anonymous: the IRO reads each as that person's views. `description` (how the IRO knows them:
"Mum", "Foster carer") is kept with the views; the address the link went to is kept only while the
review is planned, for the IRO to see where it went, then deleted (portal.consultation.services
`forget_contacts`, called when the review is held or cancelled).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.questionnaires.models import AnswerColumns
from portal.timeutil import UTCDateTime, utcnow


class ParentConsultation(db.Model):
    """One parent or carer asked for their views before one review."""

    __tablename__ = "parent_consultation"
    __table_args__ = (UniqueConstraint("review_id", "recipient_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    # An opaque id within the review ("parent-1"), as on the private link: never a name.
    recipient_ref: Mapped[str] = mapped_column(String(64))
    # How the IRO knows them ("Mum", "Foster carer"): kept, so the IRO knows whose views these are.
    description: Mapped[str] = mapped_column(String(120))
    # 'email' or 'sms' and the address as normalised; deleted when the review is no longer planned.
    contact_channel: Mapped[str | None] = mapped_column(String(8))
    contact_address: Mapped[str | None] = mapped_column(String(254))
    # The latest link sent to them (older ones stop working when a new one is sent).
    link_id: Mapped[int | None] = mapped_column(ForeignKey("private_link.id"))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review = relationship("Review")
    answers: Mapped[list[ConsultationAnswer]] = relationship(back_populates="consultation",
                                                             cascade="all, delete-orphan")


class ConsultationAnswer(AnswerColumns, db.Model):
    """One answer (the shared AnswerColumns), versioned so a stale page never overwrites a newer one."""

    __tablename__ = "consultation_answer"
    __table_args__ = (UniqueConstraint("consultation_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("parent_consultation.id"), index=True)
    # Words that raised a safeguarding concern (it stays marked; the IRO acknowledges the concern).
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)

    consultation: Mapped[ParentConsultation] = relationship(back_populates="answers")
