"""The collated views' own tables: reviews imported from past years' DfE returns.

An imported review is history for the year-by-year tables (participation codes): no booklet, no links, no
IRO or team. Each file imported is one `Import903`; its rows are `ImportedReview`s, all in or none.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class Import903(db.Model):
    """One SSDA903 reviews file imported: who, when, how many rows."""

    __tablename__ = "import_903"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None when imported with `flask insights import-903` rather than the upload page.
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    first_review: Mapped[date | None] = mapped_column(Date)
    last_review: Mapped[date | None] = mapped_column(Date)

    reviews: Mapped[list[ImportedReview]] = relationship(back_populates="source", cascade="all, delete-orphan")


class ImportedReview(db.Model):
    """One row of a past year's SSDA903 reviews file: the child's id in the council's system, their date
    of birth, the review's date and its participation code."""

    __tablename__ = "imported_review"
    __table_args__ = (
        UniqueConstraint("child_ref", "review_date"),
        Index("ix_imported_review_date_code", "review_date", "review_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_903.id"), index=True)
    child_ref: Mapped[str] = mapped_column(String(40))
    date_of_birth: Mapped[date] = mapped_column(Date)
    review_date: Mapped[date] = mapped_column(Date)
    review_code: Mapped[str] = mapped_column(String(3))

    source: Mapped[Import903] = relationship(back_populates="reviews")
