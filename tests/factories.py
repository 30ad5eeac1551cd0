"""Build valid records in one call, so a test states only what matters to it."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

from portal.extensions import db
from portal.reviews.models import Child, Review
from portal.staff.models import Authority, StaffUser, Team
from portal.staff.services import hash_password
from portal.timeutil import LONDON, today

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def authority(**fields) -> Authority:
    existing = db.session.scalar(db.select(Authority).limit(1))
    if existing:
        return existing
    record = Authority(name=fields.pop("name", "Testshire County Council"), contact_phone="0100 000 0000",
                       duty_inbox_email="duty@example.org", **fields)
    db.session.add(record)
    db.session.flush()
    return record


def team(name: str | None = None) -> Team:
    record = Team(name=name or f"Team {next(_counter)}")
    db.session.add(record)
    db.session.flush()
    return record


def staff(role: str = "iro", *, password: str = PASSWORD, team: Team | None = None, **fields) -> StaffUser:
    authority()
    number = next(_counter)
    record = StaffUser(email=fields.pop("email", f"{role}{number}@example.org"), name=fields.pop("name", f"Staff {number}"),
                       role=role, password_hash=hash_password(password), team=team, active=True, session_version=1,
                       phone=fields.pop("phone", "0100 000 1234"), **fields)
    db.session.add(record)
    db.session.flush()
    return record


def child(iro: StaffUser, *, age: int = 10, **fields) -> Child:
    born = fields.pop("date_of_birth", None) or date(today().year - age, 1, 1)
    if born > today().replace(year=today().year - age) if (today().month, today().day) != (2, 29) else False:
        born = born.replace(year=born.year - 1)
    record = Child(preferred_name=fields.pop("preferred_name", "Sam"), date_of_birth=born,
                   came_into_care=fields.pop("came_into_care", today() - timedelta(days=300)), iro_id=iro.id,
                   pronouns=fields.pop("pronouns", ""), preferred_language=fields.pop("preferred_language", "en"),
                   **fields)
    db.session.add(record)
    db.session.flush()
    return record


def review(the_child: Child, *, days_ahead: int = 20, status: str = "planned", **fields) -> Review:
    meeting = fields.pop("meeting_at", None) or datetime.combine(today() + timedelta(days=days_ahead), time(10),
                                                                 tzinfo=LONDON)
    record = Review(child_id=the_child.id, iro_id=the_child.iro_id, meeting_at=meeting,
                    number=fields.pop("number", "subsequent"), status=status, place=fields.pop("place", "School"),
                    **fields)
    db.session.add(record)
    db.session.flush()
    return record


def sign_in(client, user: StaffUser, password: str = PASSWORD):
    """Sign in through the real form, from the portal's own page (its post must come from there)."""
    assert client.get("/sign-in").status_code == 200
    return client.post("/sign-in", data={"email": user.email, "password": password})


def session_csrf_token(client) -> str:
    """A genuine CSRF token in this client's session, for posts by someone not signed in (no page they can
    open holds one any more: the forms for people without a session check where a post came from)."""
    import hashlib
    import os

    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
    secret = client.application.config.get("WTF_CSRF_SECRET_KEY") or client.application.secret_key
    assert current_app  # an app context is open, as in every test
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


def csrf_token(client, path: str) -> str:
    import re

    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    # Forms for people without a session (a link's Start, sign-in) carry none: they check where a post came from.
    return match.group(1) if match else ""


def screening_entry(phrase: str, language: str = "en", category: str = "physical_harm"):
    """An active entry on the word list (the built-in lists may hold it already)."""
    from portal.safeguarding.models import ScreeningEntry

    entry = db.session.scalar(db.select(ScreeningEntry).filter_by(phrase=phrase, language=language))
    if entry is None:
        entry = ScreeningEntry(phrase=phrase, language=language, category=category, builtin=False)
        db.session.add(entry)
    entry.active = True
    db.session.flush()
    return entry


def screen_booklet_answer(booklet, answer) -> bool:
    """Screen a stored answer as saving it does."""
    from portal.booklet.answers import screen_answer
    from portal.booklet.questions import question_set

    return screen_answer(booklet, question_set(booklet.question_set).question(answer.question_key), answer)


def link(the_review: Review, *, purpose: str = "booklet", audience: str = "child", days: int = 30,
         **fields):
    """A live private link for a review; returns (link, token)."""
    from portal.links.services import issue_link
    from portal.timeutil import utcnow

    record, token, _code = issue_link(purpose=purpose, audience=audience, review_id=the_review.id,
                                      expires_at=utcnow() + timedelta(days=days), **fields)
    return record, token


def booklet(the_review: Review):
    """The review's booklet, in the version for the child's age."""
    from portal.booklet.services import booklet_for_review

    return booklet_for_review(the_review)


def answer(the_booklet, question_key: str, value: str | None = None, *, state: str = "answered"):
    """An answer saved as the child's pages save it (screened, versioned)."""
    from portal.booklet.answers import save_answer
    from portal.booklet.questions import question_set

    question = question_set(the_booklet.question_set).question(question_key)
    outcome = save_answer(the_booklet, question, state, value)
    db.session.flush()
    return outcome.answer


def message(the_review: Review, body: str = "Can we talk after school?"):
    """A message from the child to their IRO, sent as the message page sends it."""
    from portal.safeguarding.services import send_child_message

    sent, _created = send_child_message(the_review, body)
    db.session.flush()
    return sent


def concern(the_review: Review, text: str = "he hit me", *, source_kind: str = "child_message",
            source_id: int | None = None):
    """An open concern with a snapshot of the words that raised it."""
    from portal.safeguarding.services import report

    screening_entry("hit me")
    screened = report(the_review, source_kind=source_kind, source_id=source_id or next(_counter),
                      label="", text=text)
    db.session.flush()
    return screened.concern


def held_review(the_child: Child, *, days_ago: int = 10, **fields) -> Review:
    """A review held `days_ago` days before today, at 10:00 in England."""
    when = datetime.combine(today() - timedelta(days=days_ago), time(10), tzinfo=LONDON)
    return review(the_child, status="held", meeting_at=when, held_at=fields.pop("held_at", when), **fields)


def issued_letter(the_review: Review, author: StaffUser):
    """The review's letter to the child, drafted and issued as the letter pages do."""
    from portal.letters import services as letters

    version = letters.draft(the_review, author)
    letters.save_draft(version, version.version_counter, going_well="You are doing well at school.")
    issued = letters.issue(version, author)
    db.session.flush()
    return issued


def feedback_invitation(the_review: Review, group: str = "parent_carer", *, returned: bool = False):
    """A feedback invitation already sent for a held review (by email, to a made-up address)."""
    from portal.feedback.models import FeedbackInvitation

    invitation = FeedbackInvitation(review_id=the_review.id, group=group, recipient_ref=f"{group}-{next(_counter)}",
                                    channel="email", returned=returned)
    db.session.add(invitation)
    db.session.flush()
    return invitation
