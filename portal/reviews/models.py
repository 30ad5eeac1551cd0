"""Children (kept pseudonymous) and their reviews."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.security import register_review_records
from portal.staff.models import StaffUser
from portal.timeutil import UTCDateTime, utcnow

REVIEW_STATUSES = ("planned", "held", "cancelled")
REVIEW_NUMBERS = ("first", "second", "subsequent")
PN_CODES = ("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7")
CHAIRING = ("none", "chaired", "co-chaired")


class Child(db.Model):
    """A child in care; no address and no surname, by design."""

    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    preferred_name: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str | None] = mapped_column(String(80))
    date_of_birth: Mapped[date] = mapped_column(Date)
    came_into_care: Mapped[date] = mapped_column(Date)
    pronouns: Mapped[str] = mapped_column(String(40), default="")
    preferred_language: Mapped[str] = mapped_column(String(10), default="en")
    words_to_use: Mapped[str] = mapped_column(Text, default="")
    case_reference: Mapped[str | None] = mapped_column(String(40))
    iro_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    iro: Mapped[StaffUser] = relationship()
    reviews: Mapped[list[Review]] = relationship(back_populates="child", order_by="Review.meeting_at")


class Review(db.Model):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    iro_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    # Indexed: the collated views find a period's reviews by their meeting.
    meeting_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    number: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="planned", index=True)
    participation_code: Mapped[str | None] = mapped_column(String(3))
    chairing: Mapped[str | None] = mapped_column(String(16))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    child: Mapped[Child] = relationship(back_populates="reviews")
    iro: Mapped[StaffUser] = relationship()
    # At most one booklet per review (a unique key on booklet.review_id).
    booklet = relationship("Booklet", back_populates="review", uselist=False)


# Access to children's records is decided in portal.security, on these models.
register_review_records(review=Review, child=Child)
