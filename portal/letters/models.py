"""The letter to the child after their review: one per review, in numbered versions.

A version is a draft (at most one per letter, always the newest) until it is issued; an issued version
never changes again (portal.letters.services refuses, and `_refuse_changes_to_issued` below stops any
ORM flush that tries). A correction is the next version, with a reason. The child reads the latest
issued version. The glossary of care words and plainer ones helps the IRO write (portal.letters.plain_words).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, inspect, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

DRAFT = "draft"
ISSUED = "issued"
STATUSES = (DRAFT, ISSUED)

# The letter's parts an IRO writes, in the order the letter shows them (the actions come after `worries`).
TEXT_FIELDS = ("greeting", "who_came", "what_you_told_us", "going_well", "worries", "next_review_text",
               "contact_text")


class Letter(db.Model):
    """The letter for one review."""

    __tablename__ = "letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review = relationship("Review")
    versions: Mapped[list[LetterVersion]] = relationship(back_populates="letter", order_by="LetterVersion.number",
                                                         cascade="all, delete-orphan")


class LetterVersion(db.Model):
    """One version of the letter, as plain text (paragraphs and lists; escaped wherever it is shown)."""

    __tablename__ = "letter_version"
    __table_args__ = (
        UniqueConstraint("letter_id", "number"),
        # At most one draft per letter: two requests starting a correction at once cannot both succeed.
        Index("uq_letter_version_one_draft", "letter_id", unique=True,
              sqlite_where=text("status = 'draft'"), postgresql_where=text("status = 'draft'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8), default=DRAFT)
    greeting: Mapped[str] = mapped_column(Text, default="")
    # One name or role per line ("Mum", "Priya, my social worker").
    who_came: Mapped[str] = mapped_column(Text, default="")
    what_you_told_us: Mapped[str] = mapped_column(Text, default="")
    going_well: Mapped[str] = mapped_column(Text, default="")
    worries: Mapped[str] = mapped_column(Text, default="")
    next_review_text: Mapped[str] = mapped_column(Text, default="")
    contact_text: Mapped[str] = mapped_column(Text, default="")
    # Who started this version; who issued it and when (None while a draft).
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why a correction (number > 1) was issued.
    correction_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Moves on with every saved change, so an autosave from a stale page is refused, never applied.
    version_counter: Mapped[int] = mapped_column(Integer, default=1)

    letter: Mapped[Letter] = relationship(back_populates="versions")
    actions: Mapped[list[LetterAction]] = relationship(back_populates="version", order_by="LetterAction.position",
                                                       cascade="all, delete-orphan")

    @property
    def is_issued(self) -> bool:
        return self.status == ISSUED


class LetterAction(db.Model):
    """What will happen next: one action, who does it and by when."""

    __tablename__ = "letter_action"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("letter_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text, default="")
    # A role or a name ("Your social worker", "Mum").
    who: Mapped[str] = mapped_column(String(200), default="")
    by_when: Mapped[date | None] = mapped_column(Date)

    version: Mapped[LetterVersion] = relationship(back_populates="actions")


class GlossaryEntry(db.Model):
    """A care word and the plainer words to use instead, in one language; a manager can edit, add or
    switch off entries. Built-in ones come from portal/letters/glossary.toml."""

    __tablename__ = "glossary_entry"
    __table_args__ = (UniqueConstraint("term", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(2), default="en")
    suggestion: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)


class IssuedVersionChanged(RuntimeError):
    """Something tried to change an issued version of a letter, or its actions."""


def _was_issued(version: LetterVersion) -> bool:
    history = inspect(version).attrs.status.history
    before = history.deleted[0] if history.deleted else (history.unchanged[0] if history.unchanged else None)
    return before == ISSUED


@event.listens_for(LetterVersion, "before_update")
def _refuse_changes_to_issued(_mapper, _connection, version: LetterVersion) -> None:
    if _was_issued(version):
        raise IssuedVersionChanged(f"Letter version {version.id} is issued and cannot change")


@event.listens_for(LetterAction, "before_insert")
@event.listens_for(LetterAction, "before_update")
@event.listens_for(LetterAction, "before_delete")
def _refuse_action_changes_to_issued(_mapper, _connection, action: LetterAction) -> None:
    version = action.version
    if version is not None and version.status == ISSUED and inspect(version).persistent and _was_issued(version):
        raise IssuedVersionChanged(f"Letter version {version.id} is issued: its actions cannot change")
