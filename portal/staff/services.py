"""Staff accounts: passwords, sessions, one-time set-password links, TOTP."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from portal.audit import record_event
from portal.extensions import db
from portal.links.services import issue_link, link_url
from portal.outbox.services import queue_message
from portal.settings import authority_settings  # noqa: F401 - callers that read settings through staff
from portal.staff.models import StaffUser
from portal.timeutil import utcnow

_HASHERS = {
    # RFC 9106's low-memory recommendation, argon2-cffi's default.
    "default": PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY),
    # Only for the test suite, which makes hundreds of accounts: never in production.
    "fast-for-tests": PasswordHasher.from_parameters(profiles.CHEAPEST),
}
_dummy_hashes: dict[str, str] = {}


def _hasher() -> PasswordHasher:
    profile = current_app.config.get("PASSWORD_HASHER", "default")
    if current_app.config.get("PRODUCTION"):
        profile = "default"
    return _HASHERS[profile]


def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both cases take the same time."""
    hasher = _hasher()
    key = f"{hasher.time_cost}-{hasher.memory_cost}"
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash("not-a-real-password")
    return _dummy_hashes[key]
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def find_staff_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(db.select(StaffUser).filter(db.func.lower(StaffUser.email) == email.strip().lower()))


def check_credentials(email: str, password: str) -> StaffUser | None:
    """The active user with this email and password, or None (whichever part was wrong)."""
    user = find_staff_by_email(email)
    stored = user.password_hash if user and user.password_hash else _dummy_hash()
    try:
        _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.active:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def check_totp(user: StaffUser, code: str) -> bool:
    """A six-digit code from the user's authenticator app (one step of clock drift allowed)."""
    if not user.totp_secret:
        return True
    return check_totp_secret(user.totp_secret, code)


def check_totp_secret(secret: str, code: str) -> bool:
    return pyotp.TOTP(secret).verify((code or "").strip().replace(" ", ""), valid_window=1)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: StaffUser, secret: str) -> str:
    """What the authenticator app scans: the service and the account, nothing else."""
    issuer = f"My Review ({authority_settings().name})"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(text: str) -> str:
    """An inline SVG QR code (segno), so no image is fetched from anywhere."""
    import segno

    # A viewBox and no fixed size: the page's CSS scales the whole code (a fixed size clipped it).
    return segno.make(text, error="m").svg_inline(scale=1, border=4, svgclass="portal-qr", title="",
                                                  omitsize=True)


def set_password(user: StaffUser, password: str) -> None:
    """Change the password and end every existing session of this user."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    record_event("password_set", "staff_user", user.id)


def end_all_sessions(user: StaffUser) -> None:
    user.session_version += 1


def create_account(*, email: str, name: str, role: str, team_id: int | None, phone: str = "") -> tuple[StaffUser, str]:
    """An account with no password yet, and its one-time set-password link."""
    user = StaffUser(email=email.strip().lower(), name=name.strip(), role=role, team_id=team_id,
                     phone=phone.strip(), active=True, session_version=1)
    db.session.add(user)
    db.session.flush()
    url = issue_set_password_link(user)
    # The link also goes by email; the administrator sees it once too, for people without email yet.
    queue_message("email", user.email, "set_password", {"first_name": user.first_name, "url": url})
    record_event("account_created", "staff_user", user.id, detail=role)
    return user, url


def issue_set_password_link(user: StaffUser) -> str:
    """A link that sets a password once, valid for 3 days."""
    _, token, _ = issue_link(purpose="set-password", audience="staff", staff_user_id=user.id,
                             expires_at=utcnow() + timedelta(days=3))
    return link_url(token)


MAX_PHOTO_BYTES = 1024 * 1024


def photo_type(data: bytes) -> str | None:
    """The image type from its first bytes (never the file name): JPEG, PNG or WebP only."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def set_photo(user: StaffUser, data: bytes) -> str | None:
    """Keep the photo children see on their My IRO page; return a reason when it is refused."""
    from flask_babel import gettext as _

    if not data:
        return _("Choose a photo")
    if len(data) > MAX_PHOTO_BYTES:
        return _("The photo must be smaller than 1 MB")
    kind = photo_type(data)
    if kind is None:
        return _("The photo must be a JPEG, PNG or WebP picture")
    user.photo, user.photo_type = data, kind
    record_event("photo_set", "staff_user", user.id)
    return None


def remove_photo(user: StaffUser) -> None:
    user.photo, user.photo_type = None, None
    record_event("photo_removed", "staff_user", user.id)
