"""Issue, hash, find and revoke private links."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app

from portal.extensions import db
from portal.links.models import RECIPIENT_REF_LENGTH, PrivateLink
from portal.timeutil import as_utc, utcnow

# Letters and digits that cannot be mistaken for one another when typed from paper.
SHORT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SHORT_CODE_LENGTH = 10


def _keys() -> list[bytes]:
    """The link key first, then any earlier ones still accepted (LINK_HASH_KEY, LINK_HASH_OLD_KEYS)."""
    keys = [current_app.config["LINK_HASH_KEY"], *current_app.config.get("LINK_HASH_OLD_KEYS", ())]
    return [key.encode("utf-8") for key in keys if key]


def hash_token(token: str) -> str:
    """HMAC-SHA256 of a token or short code under the link key, as stored; the token itself never is.

    The key lives in the environment, not in the database: a copy of the database alone cannot be
    used to recover live short codes offline (a plain SHA-256 of 50 bits can). It is apart from
    SECRET_KEY, so rotating that key never breaks a link already sent.
    """
    return _hashes(token)[0]


def _hashes(token: str) -> list[str]:
    """The token's hash under every accepted key, then the plain SHA-256 older links were stored with."""
    data = token.encode("utf-8")
    hashes = [hmac.new(key, data, hashlib.sha256).hexdigest() for key in _keys()]
    return hashes + [hashlib.sha256(data).hexdigest()]


def _find_by_hash(column, token: str) -> PrivateLink | None:
    """The link stored under any accepted hash of the token; one found under an old one is rehashed."""
    candidates = _hashes(token)
    link = db.session.scalar(db.select(PrivateLink).where(column.in_(candidates)).limit(1))
    if link is not None and getattr(link, column.key) != candidates[0]:
        setattr(link, column.key, candidates[0])
        db.session.flush()
    return link


def normalise_short_code(code: str) -> str:
    """Upper case, without spaces or dashes, as people type codes from paper."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def issue_link(*, purpose: str, audience: str, expires_at: datetime, review_id: int | None = None,
               staff_user_id: int | None = None, recipient_ref: str | None = None, with_short_code: bool = False,
               replace: bool = False) -> tuple[PrivateLink, str, str | None]:
    """Make a link; return it with its token (and short code) to hand out once.

    `recipient_ref` is an opaque id of who the link is for within its audience (a parent's record id),
    never a name or an address. With `replace`, that recipient's earlier links for the review stop
    working (see `revoke_links`); nobody else's do.
    """
    if recipient_ref is not None and len(recipient_ref) > RECIPIENT_REF_LENGTH:
        raise ValueError("recipient_ref is an opaque id of at most 64 characters")
    if replace:
        if review_id is None:
            raise ValueError("only a review's links are replaced")
        revoke_links(review_id, purpose, audience, recipient_ref)
    token = secrets.token_urlsafe(32)
    short_code = None
    link = PrivateLink(purpose=purpose, audience=audience, review_id=review_id, staff_user_id=staff_user_id,
                       recipient_ref=recipient_ref, token_sha256=hash_token(token), expires_at=expires_at)
    if with_short_code:
        short_code = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
        link.short_code_sha256 = hash_token(short_code)
    db.session.add(link)
    db.session.flush()
    return link, token, short_code


def link_url(token: str) -> str:
    """The full address a person opens."""
    return f"{current_app.config['BASE_URL']}/l/{token}"


def short_url(code: str) -> str:
    """The short address printed on letters."""
    return f"{current_app.config['BASE_URL']}/s/{code}"


def is_usable(link: PrivateLink | None, now: datetime | None = None) -> bool:
    """Known, not revoked and not expired."""
    now = now or utcnow()
    return bool(link and link.revoked_at is None and as_utc(link.expires_at) > now)


def find_usable_link(token: str, *, purpose: str | None = None) -> PrivateLink | None:
    """The live link for a token, or None for unknown, revoked and expired alike."""
    if not token or len(token) > 200:
        return None
    link = _find_by_hash(PrivateLink.token_sha256, token)
    if not is_usable(link) or (purpose and link.purpose != purpose):
        return None
    return link


def find_usable_short_code(code: str) -> PrivateLink | None:
    """The live link for a short code typed from a printed letter."""
    code = normalise_short_code(code)
    if len(code) != SHORT_CODE_LENGTH:
        return None
    link = _find_by_hash(PrivateLink.short_code_sha256, code)
    return link if is_usable(link) else None


def mark_used(link: PrivateLink) -> None:
    """Record the first real use (a POST), never a GET that a scanner might make."""
    if link.first_used_at is None:
        link.first_used_at = utcnow()


def revoke(link: PrivateLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()


def revoke_links(review_id: int, purpose: str, audience: str, recipient_ref: str | None = None) -> int:
    """Stop a review's live links of one purpose, for one audience and recipient; return how many.

    Only links sent to exactly that recipient stop: `recipient_ref=None` means the links with no
    recipient id (the child's), never 'every parent'. A new link for one parent leaves every other
    parent's, the professionals' and the child's links working.
    """
    query = db.select(PrivateLink).filter_by(review_id=review_id, purpose=purpose, audience=audience,
                                             recipient_ref=recipient_ref, revoked_at=None)
    links = list(db.session.scalars(query))
    for link in links:
        revoke(link)
    return len(links)


def revoke_staff_links(staff_user_id: int, purpose: str) -> int:
    """Stop every live link of one purpose issued to one member of staff; return how many.

    A new set-password link stops every earlier one, and setting the password stops them all, so an
    old link found in a mailbox can never set the password again.
    """
    query = db.select(PrivateLink).filter_by(staff_user_id=staff_user_id, purpose=purpose, revoked_at=None)
    links = list(db.session.scalars(query))
    for link in links:
        revoke(link)
    return len(links)


def default_expiry(days: int = 400) -> datetime:
    return utcnow() + timedelta(days=days)
