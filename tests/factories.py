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
    """Sign in through the real form, CSRF token and all."""
    import re

    page = client.get("/sign-in")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/sign-in", data={"csrf_token": token, "email": user.email, "password": password})


def csrf_token(client, path: str) -> str:
    import re

    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    return match.group(1)


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
