"""Booklet rules: which version, links, saving answers, sharing, withdrawing, status."""

from __future__ import annotations

from datetime import timedelta

from portal.booklet.models import Booklet
from portal.booklet.questions import CURRENT_SET
from portal.extensions import db
from portal.links.services import issue_link, link_url, short_url
from portal.reviews.models import Review
from portal.reviews.services import age_on
from portal.timeutil import as_utc, london_date

MIN_AGE = 4


def version_for_age(age: int) -> str | None:
    """Three Houses to 7, 4-11 to 11, 12-17 from 12 (care leavers too); none under 4 (PN0)."""
    if age < MIN_AGE:
        return None
    if age <= 7:
        return "4-7"
    if age <= 11:
        return "4-11"
    return "12-17"


def booklet_for_review(review: Review) -> Booklet | None:
    """The review's booklet, made on first need with the version for the child's age at the meeting."""
    booklet = review.booklet
    if booklet is None:
        version = version_for_age(age_on(review.child.date_of_birth, london_date(review.meeting_at)))
        if version is None:
            return None
        booklet = Booklet(review=review, version=version, question_set=CURRENT_SET[version])
        db.session.add(booklet)
        db.session.flush()
    return booklet


def issue_booklet_link(review: Review, *, replace: bool = True) -> tuple[str, str]:
    """A new booklet link for the child; returns its URL and short URL.

    With `replace` (for a fresh start, such as the demo's links) the child's older booklet links stop
    working, nobody else's do. Invitations, reminders and printed letters pass `replace=False`: a link
    the child already has keeps working until the IRO stops it on purpose
    (portal.booklet.invitations.stop_child_links).
    """
    # The link lives until well after the meeting, when it leads to the letter.
    expires = as_utc(review.meeting_at) + timedelta(days=365)
    _, token, code = issue_link(purpose="booklet", audience="child", review_id=review.id, expires_at=expires,
                                with_short_code=True, replace=replace)
    return link_url(token), short_url(code)


def demo_booklet_links(planned: list[Review]) -> list[dict]:
    """One fresh booklet link per version, for `flask demo --json`."""
    links, seen = [], set()
    for review in planned:
        booklet = booklet_for_review(review)
        if booklet is None or booklet.version in seen:
            continue
        seen.add(booklet.version)
        if not booklet.answers and booklet.question_set != CURRENT_SET[booklet.version]:
            # An untouched demo booklet from an older demo database shows today's questions.
            booklet.question_set = CURRENT_SET[booklet.version]
        url, short = issue_booklet_link(review)
        links.append({"kind": "booklet", "version": booklet.version, "url": url, "short_url": short,
                      "child": review.child.preferred_name, "review_id": review.id})
    return sorted(links, key=lambda item: ["4-7", "4-11", "12-17"].index(item["version"]))


# Versions a child may switch to: their own and the ones next to it.
NEIGHBOUR_VERSIONS = {"4-7": ("4-7", "4-11"), "4-11": ("4-7", "4-11", "12-17"), "12-17": ("4-11", "12-17")}


def versions_child_may_choose(booklet: Booklet) -> tuple[str, ...]:
    """The booklet's age version and its neighbours: a child may want simpler or fuller questions."""
    review = booklet.review
    by_age = version_for_age(age_on(review.child.date_of_birth, london_date(review.meeting_at))) or booklet.version
    return NEIGHBOUR_VERSIONS[by_age]


def review_is_over(review: Review) -> bool:
    """Held or cancelled: the booklet link now leads to what happened, not to the questions."""
    return review.status != "planned"
