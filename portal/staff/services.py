"""Staff accounts: passwords, sessions, one-time set-password links, TOTP; and the administrator's writes
(accounts, teams, the authority's settings). Each write adds its audit event; the caller commits."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import segno
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

from portal.audit import record_event
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.links.services import issue_link, link_url, revoke_staff_links
from portal.outbox.services import queue_message
from portal.settings import authority_settings  # noqa: F401 - callers that read settings through staff
from portal.staff.models import Authority, StaffUser, Team
from portal.timeutil import as_utc, utcnow

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


def switch_two_step(user: StaffUser, secret: str, code: str) -> bool:
    """Turn sign-in codes off (when on) or on (with the new secret), if the code from the app is right;
    audited. False when the code did not work. The caller commits."""
    if user.totp_secret:
        if not check_totp(user, code):
            return False
        user.totp_secret = None
        record_event("two_step_turned_off", "staff_user", user.id)
        return True
    if not check_totp_secret(secret, code):
        return False
    user.totp_secret = secret
    record_event("two_step_turned_on", "staff_user", user.id)
    return True


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: StaffUser, secret: str) -> str:
    """What the authenticator app scans: the service and the account, nothing else."""
    issuer = f"My Review ({authority_settings().name})"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(text: str) -> str:
    """An inline SVG QR code (segno), so no image is fetched from anywhere."""
    # A viewBox and no fixed size: the page's CSS scales the whole code (a fixed size clipped it).
    return segno.make(text, error="m").svg_inline(scale=1, border=4, svgclass="portal-qr", title="",
                                                  omitsize=True)


def set_password(user: StaffUser, password: str) -> None:
    """Change the password and end every existing session of this user; any set-password link of
    theirs still out there stops working."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    revoke_staff_links(user.id, SET_PASSWORD)
    record_event("password_set", "staff_user", user.id)


def end_all_sessions(user: StaffUser) -> None:
    user.session_version += 1


class AdminError(ValueError):
    """An administrator's change that the rules refuse."""


class EmailTaken(AdminError):
    """Another account already has this email address."""


class OwnAccount(AdminError):
    """Administrators cannot switch off their own account."""


class TeamExists(AdminError):
    """Another team already has this name."""


ROLES = ("iro", "manager", "admin")


def all_teams() -> list[Team]:
    return list(db.session.scalars(db.select(Team).order_by(Team.name)))


def create_account(*, email: str, name: str, role: str, team_id: int | None, phone: str = "") -> tuple[StaffUser, str]:
    """An account with no password yet, and its one-time set-password link (also sent by email)."""
    if role not in ROLES:
        raise AdminError(f"Unknown role {role!r}")
    if find_staff_by_email(email):
        raise EmailTaken("There is already an account with this email address")
    user = StaffUser(email=email.strip().lower(), name=name.strip(), role=role, team_id=team_id,
                     phone=phone.strip(), active=True, session_version=1)
    db.session.add(user)
    db.session.flush()
    url = issue_set_password_link(user)
    # The link also goes by email; the administrator sees it once too, for people without email yet.
    queue_message("email", user.email, "set_password", {"first_name": user.first_name, "url": url})
    record_event("account_created", "staff_user", user.id, detail=role)
    return user, url


SET_PASSWORD = "set-password"


def set_password_link_lifetime() -> timedelta:
    """How long a set-password link works: the administrator's setting (24 hours unless changed)."""
    return timedelta(hours=authority_settings().set_password_link_hours)


def issue_set_password_link(user: StaffUser) -> str:
    """A link that sets this person's password once, for the setting's hours; their earlier ones stop."""
    revoke_staff_links(user.id, SET_PASSWORD)
    _, token, _ = issue_link(purpose=SET_PASSWORD, audience="staff", staff_user_id=user.id,
                             expires_at=utcnow() + set_password_link_lifetime())
    return link_url(token)


def set_password_link_works(link: PrivateLink) -> bool:
    """Unused, and younger than the setting is now (an administrator may have shortened it since)."""
    return (link.purpose == SET_PASSWORD and link.first_used_at is None and link.revoked_at is None
            and as_utc(link.created_at) + set_password_link_lifetime() > utcnow())


def set_password_through_link(link: PrivateLink, user: StaffUser, password: str) -> bool:
    """Set the password through a set-password link, once.

    The link is claimed in one statement (used and revoked where it is still neither), so of two
    posts at once only one sets the password; the other gets False and changes nothing.
    """
    now = utcnow()
    claimed = db.session.execute(
        db.update(PrivateLink)
        .where(PrivateLink.id == link.id, PrivateLink.staff_user_id == user.id,
               PrivateLink.purpose == SET_PASSWORD, PrivateLink.revoked_at.is_(None),
               PrivateLink.first_used_at.is_(None))
        .values(first_used_at=now, revoked_at=now)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    db.session.expire(link)
    set_password(user, password)
    return True


def reissue_set_password_link(user: StaffUser) -> str:
    """A new set-password link for someone who lost theirs (the administrator passes it on)."""
    url = issue_set_password_link(user)
    record_event("password_link_issued", "staff_user", user.id)
    return url


def set_active(user: StaffUser, active: bool, *, by: StaffUser | None = None) -> None:
    """Switch an account on or off; either way its sessions end. Nobody switches off their own account."""
    if not active and by is not None and by.id == user.id:
        raise OwnAccount("You cannot switch off your own account")
    user.active = active
    end_all_sessions(user)
    record_event("account_activated" if active else "account_deactivated", "staff_user", user.id)


def add_team(name: str) -> Team:
    """A new team, its name unique."""
    name = (name or "").strip()
    if not name:
        raise AdminError("A team needs a name")
    if db.session.scalar(db.select(Team).filter_by(name=name)):
        raise TeamExists("There is already a team with this name")
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    record_event("team_added", "team", team.id, detail=name)
    return team


# What an administrator may change on the settings page.
SETTINGS_FIELDS = ("name", "contact_phone", "contact_email", "duty_inbox_email", "invitation_working_days",
                   "record_working_days", "suppression_threshold", "suppress_service_counts", "staff_idle_minutes", "booklet_idle_minutes",
                   "urgent_escalation_working_hours", "set_password_link_hours",
                   "feedback_reminder_working_days", "handover_minutes")


def save_settings(authority: Authority, **values) -> list[str]:
    """Change the authority's settings; returns the names of those that changed (kept in the audit)."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Not a setting: {', '.join(sorted(unknown))}")
    changed = sorted(name for name, value in values.items() if getattr(authority, name) != value)
    for name in changed:
        setattr(authority, name, values[name])
    if authority.id is None:
        # The first save on a fresh install: the defaults were never written, now they are.
        db.session.add(authority)
        db.session.flush()
    record_event("settings_changed", "authority", authority.id, detail=",".join(changed))
    return changed


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
