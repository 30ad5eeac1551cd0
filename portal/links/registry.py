"""What each kind of private link is for: filled by the areas, read by the links machinery.

Links know no feature. An area (the booklet, staff, later feedback and the letter) registers each
purpose it owns when its blueprint is registered on the app:

    register_purpose(bp, "booklet", landing=booklet_landing, start_endpoint="booklet.contents",
                     is_over=lambda link: review_is_over(link.review),
                     idle_minutes=lambda link: authority_settings().booklet_idle_minutes,
                     lock_template="links/locked.html")

The registry lives on the app (`app.extensions`), so a test app may register a purpose of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, url_for
from flask.typing import ResponseReturnValue

from portal.links.models import PrivateLink

EXTENSION_KEY = "link_purposes"
# The child's lock page; a purpose that names none shows it.
DEFAULT_LOCK_TEMPLATE = "links/locked.html"
# For a purpose that does not say how long its pages may sit unused.
DEFAULT_IDLE_MINUTES = 10.0


def _never(link: PrivateLink) -> bool:
    return False


def _default_idle(link: PrivateLink) -> float:
    return DEFAULT_IDLE_MINUTES


@dataclass(frozen=True)
class LinkPurpose:
    """One kind of private link and what the links machinery needs to know about it."""

    name: str
    # Called for GET and POST of /l/<token> and /s/<code> with the live link; a GET changes nothing.
    landing: Callable[[PrivateLink], ResponseReturnValue]
    # Where 'Start' leads, once the link session has begun (None: the purpose has no link session).
    start_endpoint: str | None = None
    # Whether what the link was sent for is over (a held review, a closed form).
    is_over: Callable[[PrivateLink], bool] = _never
    # How long the purpose's pages may sit unused before they lock; may differ by audience.
    idle_minutes: Callable[[PrivateLink], float] = _default_idle
    # The page shown when the link session is missing, ended or locked.
    lock_template: str = DEFAULT_LOCK_TEMPLATE
    # SQLAlchemy loader options for loading the session's link (what nearly every page of the purpose
    # reads, in the same query); None: the link and its review.
    load_with: Callable[[], tuple] | None = None


def _purposes(app: Flask) -> dict[str, LinkPurpose]:
    return app.extensions.setdefault(EXTENSION_KEY, {})


def add_purpose(app: Flask, purpose: LinkPurpose) -> None:
    """Register a purpose on an app; two areas claiming one purpose is a mistake, said at start-up."""
    known = _purposes(app)
    if purpose.name in known and known[purpose.name] != purpose:
        raise ValueError(f"the link purpose {purpose.name!r} is registered twice")
    known[purpose.name] = purpose


def register_purpose(blueprint: Blueprint, name: str, *,
                     landing: Callable[[PrivateLink], ResponseReturnValue],
                     start_endpoint: str | None = None,
                     is_over: Callable[[PrivateLink], bool] | None = None,
                     idle_minutes: Callable[[PrivateLink], float] | None = None,
                     lock_template: str = DEFAULT_LOCK_TEMPLATE,
                     load_with: Callable[[], tuple] | None = None) -> LinkPurpose:
    """Register a purpose on every app this blueprint is registered on (once per app)."""
    purpose = LinkPurpose(name=name, landing=landing, start_endpoint=start_endpoint, is_over=is_over or _never,
                          idle_minutes=idle_minutes or _default_idle, lock_template=lock_template,
                          load_with=load_with)
    blueprint.record_once(lambda state: add_purpose(state.app, purpose))
    return purpose


def get_purpose(name: str | None) -> LinkPurpose | None:
    """The current app's purpose of that name, or None when no area registered it."""
    return _purposes(current_app).get(name) if name else None


def registered_purposes() -> dict[str, LinkPurpose]:
    return dict(_purposes(current_app))


def is_over(link: PrivateLink) -> bool:
    """Whether what the link was sent for is over, as its purpose says."""
    purpose = get_purpose(link.purpose)
    return bool(purpose and purpose.is_over(link))


def start_url(link: PrivateLink) -> str:
    """Where 'Start' leads for this link's purpose."""
    purpose = get_purpose(link.purpose)
    if purpose is None or purpose.start_endpoint is None:
        raise LookupError(f"the link purpose {link.purpose!r} has no Start")
    return url_for(purpose.start_endpoint)


def lock_template(purpose_name: str | None) -> str:
    purpose = get_purpose(purpose_name)
    return purpose.lock_template if purpose else DEFAULT_LOCK_TEMPLATE
