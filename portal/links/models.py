"""Private links: only a SHA-256 of each token is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

# Which purposes exist is the areas' business: each registers its own (portal.links.registry).
AUDIENCES = ("child", "parent", "professional", "staff")
RECIPIENT_REF_LENGTH = 64


class PrivateLink(db.Model):
    __tablename__ = "private_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    audience: Mapped[str] = mapped_column(String(20))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # Who the link was sent to within its audience, as an opaque id (a parent's record id), so that a
    # new link for one parent stops only theirs. Never a name, an email address or a phone number.
    recipient_ref: Mapped[str | None] = mapped_column(String(RECIPIENT_REF_LENGTH))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A short code for printed letters; like the token, kept only as a hash.
    short_code_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)

    review = relationship("Review")
