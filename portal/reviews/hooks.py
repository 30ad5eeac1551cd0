"""Where other areas add to the reviews pages without the reviews area knowing them.

An area registers its contributions when its blueprint is registered (`bp.record_once`). The
reviews templates ask through template globals (`review_panels`, `review_statuses`), the
outcome form through `participation.suggested_code`, and the write services tell every area when a
review stops being planned (`review_finished`), so `portal.reviews` imports no feature area.
Registering again under the same name replaces the earlier entry: every app built in one process
(the tests build many) registers the same blueprints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from portal.reviews.models import Review
from portal.staff.models import StaffUser

# HTML for one review, or None when the area has nothing to show for it.
ReviewHtml = Callable[[Review], str | None]
# A DfE participation code (PN0-PN7) for one review, or None when the area cannot tell.
Suggestion = Callable[[Review], str | None]
# What an area does when a review is held or cancelled (in the same transaction; the caller commits).
Finished = Callable[[Review], None]
# Something a child may do through their own link for one review: (label, endpoint), or None when not now.
Offer = Callable[[Review], "tuple[object, str] | None"]


@dataclass(frozen=True)
class ReviewPanel:
    """One area's part of a review: a panel on the child's page and a short status on the lists."""

    name: str
    panel: ReviewHtml
    status: ReviewHtml | None = None
    status_label: str | None = None


_panels: dict[str, ReviewPanel] = {}
_suggestions: dict[str, Suggestion] = {}
_finished: dict[str, Finished] = {}
_child_offers: dict[str, Offer] = {}


@dataclass(frozen=True)
class ChildOffer:
    """One thing offered to the child on their pages (for example "Tell us how your review went")."""

    name: str
    label: object
    endpoint: str


def register_review_panel(name: str, panel: ReviewHtml, *, status: ReviewHtml | None = None,
                          status_label: str | None = None) -> None:
    """Show `panel(review)` under a planned review on the child's page and, when given, `status(review)`
    in a row headed `status_label` on the children lists. Both return HTML (already escaped)."""
    if status is not None and status_label is None:
        raise ValueError("A status on the lists needs a status_label for its row")
    _panels[name] = ReviewPanel(name=name, panel=panel, status=status, status_label=status_label)


def register_participation_suggestion(name: str, suggest: Suggestion) -> None:
    """Offer a starting PN code for a review's outcome form; the first area with an answer wins."""
    _suggestions[name] = suggest


def register_review_finished(name: str, finished: Finished) -> None:
    """Call `finished(review)` when a review is recorded as held or cancelled: it is no longer planned
    (for example, to forget what was kept only until the meeting)."""
    _finished[name] = finished


def review_finished(review: Review) -> None:
    """Tell every area that registered that this review is no longer planned (reviews.services calls it)."""
    for finished in _finished.values():
        finished(review)


def review_panels(review: Review) -> list[Markup]:
    """Every area's panel for this review, in registration order."""
    html = (panel.panel(review) for panel in _panels.values())
    return [Markup(part) for part in html if part]


def review_statuses(review: Review) -> list[tuple[str, Markup]]:
    """(row heading, HTML) for every area that shows a status on the lists."""
    rows = []
    for panel in _panels.values():
        if panel.status is None:
            continue
        html = panel.status(review)
        if html:
            rows.append((panel.status_label, Markup(html)))
    return rows


def suggested_participation_code(review: Review) -> str | None:
    """The first registered suggestion that has an answer, or None."""
    for suggest in _suggestions.values():
        code = suggest(review)
        if code:
            return code
    return None


# A link under a held review: (label, url) for this review, or None when the area has none for it.
HeldLink = Callable[[Review], tuple[str, str] | None]
_held_links: dict[str, HeldLink] = {}


def register_held_review_link(name: str, link: HeldLink) -> None:
    """Show `link(review)` -> (label, url) as a link under a held review on the child's page."""
    _held_links[name] = link


def held_review_links(review: Review) -> list[tuple[str, str]]:
    """(label, url) of every area's link for this held review, in registration order."""
    links = (link(review) for link in _held_links.values())
    return [item for item in links if item]


def register_child_offer(name: str, offer: Offer) -> None:
    """Offer the child something on their own pages after a review (the booklet's 'review has happened' and
    My IRO pages show it): `offer(review)` gives (label, endpoint) when it applies, else None."""
    _child_offers[name] = offer


def child_offers(review: Review | None) -> list[ChildOffer]:
    """Every offer that applies to this review now, in registration order."""
    if review is None:
        return []
    offers = []
    for name, offer in _child_offers.items():
        made = offer(review)
        if made:
            offers.append(ChildOffer(name=name, label=made[0], endpoint=made[1]))
    return offers


# Something an area shows on a child's card on the lists, for many children at once (one query, not one per
# child): {child id: HTML}; children it has nothing to say about are left out.
ChildStatuses = Callable[[list[int]], dict[int, str]]


@dataclass(frozen=True)
class ChildStatus:
    name: str
    label: object
    statuses: ChildStatuses


_child_statuses: dict[str, ChildStatus] = {}


def register_child_status(name: str, label: object, statuses: ChildStatuses) -> None:
    """Show `statuses(child_ids)[child_id]` (HTML, already escaped) in a row headed `label` on each child's
    card on the lists (for example the letter due or late after the last review)."""
    _child_statuses[name] = ChildStatus(name=name, label=label, statuses=statuses)


def child_statuses(child_ids: list[int]) -> dict[int, list[tuple[object, Markup]]]:
    """{child id: [(row heading, HTML), ...]} from every area, each asked once for all the children."""
    rows: dict[int, list[tuple[object, Markup]]] = {}
    ids = list(child_ids)
    if not ids:
        return rows
    for status in _child_statuses.values():
        for child_id, html in status.statuses(ids).items():
            if html:
                rows.setdefault(child_id, []).append((status.label, Markup(html)))
    return rows


# What the child told the review, for the record written to them: (part title, text, marked) lines, where
# `marked` says the child chose "I'd rather tell my IRO myself" there (text is then empty).
ToldUs = Callable[[Review], "list[tuple[str, str, bool]]"]
_told_us: dict[str, ToldUs] = {}


def register_told_us(name: str, lines: ToldUs) -> None:
    """Offer what the child agreed to share (the booklet's sections) to whoever writes to the child."""
    _told_us[name] = lines


def told_us_lines(review: Review) -> list[tuple[str, str, bool]]:
    """Every area's (part title, text, marked) lines for this review, in registration order."""
    lines: list[tuple[str, str, bool]] = []
    for source in _told_us.values():
        lines.extend(source(review))
    return lines


# The people invited to a review, as the IRO named them ("Mum", "Foster carer Jo"), for "who came".
Invited = Callable[[Review], "list[str]"]
_invited: dict[str, Invited] = {}


def register_invited_people(name: str, people: Invited) -> None:
    """Offer the names of the people an area invited to this review (the parents' and carers' views)."""
    _invited[name] = people


def invited_people(review: Review) -> list[str]:
    """Everyone any area invited to this review, each name once, in registration order."""
    names: list[str] = []
    for source in _invited.values():
        for name in source(review):
            name = " ".join((name or "").split())
            if name and name not in names:
                names.append(name)
    return names


# What an area does when children move to another IRO (portal.reviews.reassign calls it, in the same
# transaction; the caller commits): move to the new IRO whatever of theirs is still open and addressed to the
# old one (a notice not yet sent). Past, sent and closed records stay as they were: they are history.
ChildrenReassigned = Callable[[list[int], list[int], StaffUser], None]
_reassigned: dict[str, ChildrenReassigned] = {}


def register_children_reassigned(name: str, moved: ChildrenReassigned) -> None:
    """Call `moved(child_ids, from_iro_ids, to_iro)` when a manager moves children to another IRO."""
    _reassigned[name] = moved


def children_reassigned(child_ids: list[int], from_iro_ids: list[int], to_iro: StaffUser) -> None:
    """Tell every area that registered that these children (who had these IROs) are now `to_iro`'s."""
    for moved in _reassigned.values():
        moved(list(child_ids), list(from_iro_ids), to_iro)
