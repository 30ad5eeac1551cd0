"""Demo data for people trying the portal: idempotent, never in production."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app

from portal.extensions import db
from portal.reviews import services as rules
from portal.reviews.models import Child, Review
from portal.staff.models import Authority, StaffUser, Team
from portal.staff.services import hash_password
from portal.timeutil import LONDON, today

STAFF = [
    # role, email, name, password, team
    ("iro", "iro@example.org", "Priya Shah", "iro-demo-password", "North team"),
    ("iro", "iro2@example.org", "Tom Evans", "iro2-demo-password", "South team"),
    ("manager", "manager@example.org", "Grace Okafor", "manager-demo-password", "North team"),
    ("admin", "admin@example.org", "Alex Morgan", "admin-demo-password", None),
]

# name, age in years, pronouns, words they want used, IRO (index in STAFF), story
CHILDREN = [
    ("Amira", 3, "she/her", "", 0, "planned"),
    ("Leo", 5, "he/him", "Nana's house, not 'placement'", 0, "planned"),
    ("Maya", 9, "she/her", "mum time, not 'contact'", 0, "planned"),
    ("Jordan", 15, "they/them", "home, not 'placement'", 0, "planned"),
    ("Sam", 16, "he/him", "", 0, "late-invite"),
    ("Ellie", 11, "she/her", "family time", 1, "held-last-week"),
    ("Kai", 13, "he/him", "", 1, "new"),
    ("Nia", 7, "she/her", "", 1, "planned"),
]


def _meeting(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LONDON)


def _years_ago(years: int, days: int = 40) -> date:
    base = today()
    return rules.add_months(base, -12 * years) - timedelta(days=days)


def _ensure_staff() -> dict[str, StaffUser]:
    authority = db.session.scalar(db.select(Authority).limit(1))
    if authority is None:
        db.session.add(Authority(name=current_app.config["AUTHORITY_NAME"], contact_phone="0116 000 0000",
                                 contact_email="iro.service@example.org", duty_inbox_email="iro.duty@example.org",
                                 advocacy_phone="0800 000 0000"))
    teams: dict[str, Team] = {}
    for name in {s[4] for s in STAFF if s[4]}:
        team = db.session.scalar(db.select(Team).filter_by(name=name)) or Team(name=name)
        db.session.add(team)
        teams[name] = team
    users = {}
    for role, email, name, password, team in STAFF:
        user = db.session.scalar(db.select(StaffUser).filter_by(email=email))
        if user is None:
            user = StaffUser(email=email, name=name, role=role, active=True, session_version=1,
                             phone=f"0116 000 00{len(users):02d}", password_hash=hash_password(password),
                             team=teams.get(team))
            db.session.add(user)
        users[email] = user
    db.session.flush()
    return users


def _ensure_children(users: dict[str, StaffUser]) -> list[Review]:
    """Make the eight demo children once; return their planned reviews."""
    iros = [users[s[1]] for s in STAFF]
    planned = []
    for number, (name, age, pronouns, words, iro_index, story) in enumerate(CHILDREN, start=1):
        reference = f"DEMO-{number}"
        child = db.session.scalar(db.select(Child).filter_by(case_reference=reference))
        if child is None:
            came_into_care = today() - timedelta(days=10 if story == "new" else 400)
            child = Child(preferred_name=name, first_name=name, date_of_birth=_years_ago(age),
                          came_into_care=came_into_care, pronouns=pronouns, words_to_use=words,
                          case_reference=reference, iro=iros[iro_index], preferred_language="en")
            db.session.add(child)
            db.session.flush()
            _add_reviews(child, story)
        planned += [r for r in child.reviews if r.status == "planned"]
    return planned


def _add_reviews(child: Child, story: str) -> None:
    def review(meeting: datetime, number: str, status: str, **extra) -> Review:
        item = Review(child=child, iro_id=child.iro_id, meeting_at=meeting, number=number, status=status,
                      place=extra.pop("place", "Carer's home"), **extra)
        db.session.add(item)
        return item

    now = today()
    if story == "new":
        due = rules.review_due_date(came_into_care=child.came_into_care, previous_review_held=None, reviews_held=0)
        review(_meeting(due), "first", "planned")
        return
    first = child.came_into_care + timedelta(days=14)
    first = rules.add_working_days(first, 0)
    review(_meeting(first), "first", "held", held_at=_meeting(first), participation_code="PN0" if rules.age_on(child.date_of_birth, first) < 4 else "PN6", chairing="none")
    if story == "held-last-week":
        held = rules.subtract_working_days(now, 5)
        review(_meeting(held), rules.review_number(1), "held", held_at=_meeting(held), participation_code="PN1",
               chairing="co-chaired")
        review(_meeting(rules.review_due_date(came_into_care=child.came_into_care, previous_review_held=held,
                                              reviews_held=2)), rules.review_number(2), "planned")
        return
    working_days_ahead = 5 if story == "late-invite" else 15
    review(_meeting(rules.add_working_days(now, working_days_ahead), 14), rules.review_number(1), "planned",
           place="School")


def load_demo_data() -> dict:
    """Create the demo authority once; every call issues fresh private links."""
    from portal.booklet.services import demo_booklet_links

    users = _ensure_staff()
    planned = _ensure_children(users)
    db.session.flush()
    links = demo_booklet_links(planned)
    db.session.commit()
    return {
        "base_url": current_app.config["BASE_URL"],
        "staff": [{"role": role, "email": email, "name": name, "password": password}
                  for role, email, name, password, _team in STAFF],
        "links": links,
    }
