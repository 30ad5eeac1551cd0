"""Demo data for people trying the portal: idempotent, never in production."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from flask import current_app

from portal.consultation.services import demo_links as consultation_links
from portal.extensions import db
from portal.feedback import comments as feedback_comments
from portal.feedback.models import AGENCIES, FeedbackAnswer, FeedbackInvitation, FeedbackResponse
from portal.feedback.questions import current_version
from portal.feedback.services import meeting_kind, week_starting
from portal.links.services import default_expiry, issue_link, link_url
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
    _ensure_feedback_history(users)
    links += _feedback_links()
    links += _letter_links()
    links += consultation_links(planned[0])
    db.session.commit()
    return {
        "base_url": current_app.config["BASE_URL"],
        "staff": [{"role": role, "email": email, "name": name, "password": password}
                  for role, email, name, password, _team in STAFF],
        "links": links,
    }


# --- Feedback: two years of answers for the collated views, and a link per form -------------------

# Children whose reviews over the last two years gave the feedback history (made once, all reviews held).
HISTORY_NAMES = ["Aisha", "Ben", "Chloe", "Dylan", "Erin", "Finn", "Grace", "Harvey", "Isla", "Jack", "Keira",
                 "Liam", "Mia", "Noah", "Olivia", "Rhys", "Sophie", "Tyler", "Zara", "Ethan", "Layla", "Owen", "Ruby",
                 "Caleb"]
HISTORY_DAYS = 760

POSITIVE = [
    "The IRO listened to me and explained the plan clearly.",
    "Really well chaired, everyone had a chance to speak and the actions were clear.",
    "I felt listened to and I understand the plan now.",
    "Good meeting, kept to time and focused on what the child wants.",
    "The chair made sure my son's views were heard. Thank you.",
    "I liked that I could chair part of it myself.",
    "Roedd y cadeirydd yn gwrando arnaf ac roedd y cynllun yn glir.",
    "Clear decisions and a good plan for her.",
    "The IRO met me before the meeting which really helped.",
]
NEGATIVE = [
    "The report was late, I only saw it on the day of the meeting.",
    "Too many people in the room and I didn't know everyone.",
    "This is my third social worker this year, it keeps changing.",
    "We needed an interpreter and there wasn't one.",
    "The meeting was during school so I missed lessons.",
    "Nobody listened to what I said about contact.",
    "The venue was hard to get to and there was no parking.",
    "Roedd yr adroddiad yn hwyr a doedd dim cyfieithydd.",
    "The report was not shared with the family before the meeting.",
    "It felt rushed and ran over time.",
]
NEUTRAL = ["No comments.", "Nothing else to add.", "It was okay.", "Fine."]


def _history_reviews(users: dict[str, StaffUser]) -> list[Review]:
    """Past children's held reviews (made once): first, second, then every six months until now."""
    iros = [users[s[1]] for s in STAFF if s[0] == "iro"]
    reviews = []
    for number, name in enumerate(HISTORY_NAMES, start=1):
        reference = f"DEMO-H{number}"
        child = db.session.scalar(db.select(Child).filter_by(case_reference=reference))
        if child is not None:
            reviews += [r for r in child.reviews if r.status == "held"]
            continue
        came = today() - timedelta(days=HISTORY_DAYS - number * 9)
        child = Child(preferred_name=name, first_name=name, date_of_birth=_years_ago(5 + number % 12),
                      came_into_care=came, case_reference=reference, iro=iros[number % len(iros)],
                      preferred_language="en")
        db.session.add(child)
        held, count = rules.add_working_days(came, 18), 0
        while held < today() - timedelta(days=10):
            meeting = _meeting(held)
            item = Review(child=child, iro_id=child.iro.id, meeting_at=meeting, number=rules.review_number(count),
                          status="held", held_at=meeting, participation_code="PN1", chairing="none",
                          place="Carer's home")
            db.session.add(item)
            reviews.append(item)
            count += 1
            held = rules.add_working_days(rules.add_months(held, 3 if count == 1 else 6), 0)
    db.session.flush()
    return reviews


def _choice(rng: random.Random, good: bool, options=("yes", "no", "not_sure")) -> str:
    weights = (8, 1, 1) if good else (3, 5, 2)
    return rng.choices(options, weights=weights)[0]


def _demo_answers(rng: random.Random, group: str, good: bool) -> dict[str, str]:
    rating = str(rng.choices("12345", weights=(1, 1, 3, 8, 7) if good else (4, 5, 4, 2, 1))[0])
    faces = rng.choices(["great", "good", "okay", "not_good", "bad"], weights=(6, 6, 3, 1, 1) if good else (1, 2, 4, 4, 2))[0]
    comment = rng.choice(POSITIVE if good else NEGATIVE) if rng.random() < 0.7 else rng.choice(NEUTRAL)
    if group == "young_person":
        answers = {"how_it_went": faces, "social_worker_talked": _choice(rng, good), "iro_explained": _choice(rng, good),
                   "listened": _choice(rng, good), "said_what_wanted": _choice(rng, good), "anything_else": comment}
    elif group == "parent_carer":
        answers = {"report_48_hours": _choice(rng, good), "other_reports": _choice(rng, good),
                   "met_iro": _choice(rng, good), "views_and_questions": _choice(rng, good),
                   "understand_plan": _choice(rng, good), "well_run": rating,
                   "went_well" if good else "could_be_better": comment}
    else:
        answers = {"agency": rng.choice(AGENCIES), "report_shared": _choice(rng, good),
                   "report_in_time": _choice(rng, good), "well_chaired": rating,
                   "decisions_clear": _choice(rng, good), "comments": comment}
    # Some people leave questions out.
    return {key: value for key, value in answers.items() if rng.random() > 0.08}


def _ensure_feedback_history(users: dict[str, StaffUser]) -> None:
    """Several hundred anonymous responses over two years (made once), with invitations that came back or not."""
    reviews = _history_reviews(users)
    if db.session.scalar(db.select(db.func.count()).select_from(FeedbackResponse)):
        return
    rng = random.Random(11)
    versions = {group: current_version(group) for group in ("young_person", "parent_carer", "professional")}
    themes = feedback_comments.active_themes()
    for review in reviews:
        held = review.held_at.astimezone(LONDON).date()
        asked = [("young_person", "young-person", "child_link")]
        asked += [("parent_carer", f"parent-{n}", rng.choice(["email", "sms", "print", "handover"]))
                  for n in range(1, rng.choice([2, 2, 3]))]
        asked += [("professional", f"professional-{n}", "email") for n in range(1, rng.choice([2, 3, 4]))]
        kind = meeting_kind(review)
        for group, ref, channel in asked:
            returned = rng.random() < {"young_person": 0.5, "parent_carer": 0.6, "professional": 0.7}[group]
            db.session.add(FeedbackInvitation(review_id=review.id, group=group, recipient_ref=ref, channel=channel,
                                              sent_at=review.held_at, returned=returned, remind_on=None,
                                              contact_deleted_at=review.held_at if channel in ("email", "sms") else None))
            if returned:
                _add_demo_response(rng, review, group, kind, versions[group], themes, held)
    db.session.flush()


def _add_demo_response(rng, review, group, kind, version, themes, held: date) -> None:
    answers = _demo_answers(rng, group, good=rng.random() < 0.72)
    came_in = min(held + timedelta(days=rng.randint(0, 15)), today())
    response = FeedbackResponse(review_id=review.id, group=group, meeting_kind=kind, form_version_id=version.id,
                                agency=answers.get("agency"), week_starting=week_starting(came_in))
    questions = {q["key"]: q for q in version.questions}
    for key, value in answers.items():
        question = questions[key]
        text = question["kind"] in ("text", "short")
        answer = FeedbackAnswer(question_key=key, state="answered", value_choice=None if text else value,
                                value_text=value if text else None)
        if question.get("comment"):
            analysis = feedback_comments.analyse(value, themes)
            answer.sentiment, answer.themes = analysis.sentiment, feedback_comments.themes_text(analysis.themes)
        response.answers.append(answer)
    db.session.add(response)


def _demo_invitation(review: Review, group: str, prefix: str) -> FeedbackInvitation:
    """An unanswered demo invitation (a new one once the last was answered, so a form is never sent twice)."""
    invitations = db.session.scalars(db.select(FeedbackInvitation).filter(
        FeedbackInvitation.review_id == review.id, FeedbackInvitation.recipient_ref.like(f"{prefix}-%"))
        .order_by(FeedbackInvitation.id)).all()
    open_ones = [i for i in invitations if not i.returned]
    if open_ones:
        return open_ones[-1]
    invitation = FeedbackInvitation(review_id=review.id, group=group, recipient_ref=f"{prefix}-{len(invitations) + 1}",
                                    channel="email", returned=False, remind_on=None)
    db.session.add(invitation)
    return invitation


def _feedback_links() -> list[dict]:
    """A fresh link per feedback form, all for the review held last week (Ellie's)."""
    held = db.session.scalars(db.select(Review).join(Child).filter(
        Child.case_reference.like("DEMO-_"), Review.status == "held").order_by(Review.held_at.desc())).first()
    if held is None:
        return []
    _link, token, _code = issue_link(purpose="booklet", audience="child", review_id=held.id,
                                     expires_at=default_expiry(90), replace=True)
    links = [{"kind": "feedback", "group": "young_person", "url": link_url(token),
              "note": f"{held.child.preferred_name}'s own link, after her review: press "
                      "'Tell us how your review went' (once sent, the offer goes)"}]
    for group, audience, prefix in (("parent_carer", "parent", "demo-parent"),
                                    ("professional", "professional", "demo-professional")):
        invitation = _demo_invitation(held, group, prefix)
        link, token, _code = issue_link(purpose="feedback", audience=audience, review_id=held.id,
                                        recipient_ref=invitation.recipient_ref, expires_at=default_expiry(60),
                                        replace=True)
        invitation.link_id = link.id
        links.append({"kind": "feedback", "group": group, "url": link_url(token)})
    return links


# --- The letter to the child: Ellie's review last week, issued, then corrected ------------------------

LETTER_TEXT = {
    "who_came": "You\nJackie, your foster carer\nSarah, your social worker\nMr Ahmed, your teacher, on the phone\n"
                "Tom, who wrote this letter",
    "what_you_told_us": "School: I like art best and I want to keep going to art club.\n"
                        "Family time: I want to see my brother more.\n"
                        "Home: I like my room at Jackie's and the dog, Biscuit.",
    "going_well": "You are settled at Jackie's house. You told us you feel safe there.\n\n"
                  "You have been at school every day this term. Well done!",
    "worries": "You sometimes feel sad when family time ends.\n\n"
               "Your brother lives a long way away, so it takes a long time to see him.",
}


def _letter_actions(held: date, brother_days: int) -> list[tuple[str, str, date]]:
    return [("Ask if you can see your brother every two weeks", "Sarah, your social worker",
             held + timedelta(days=brother_days)),
            ("Book your place at art club", "Jackie", held + timedelta(days=14)),
            ("Talk with you about how family time is going", "Tom (me)", held + timedelta(days=35))]


def _held_last_week() -> Review | None:
    return db.session.scalars(db.select(Review).join(Child).filter(
        Child.case_reference.like("DEMO-_"), Review.status == "held").order_by(Review.held_at.desc())).first()


def _ensure_letter(review: Review, author: StaffUser) -> None:
    """Two issued versions (made once): version 1 five days ago, version 2 two days ago correcting a date."""
    from portal.letters import services as letters
    from portal.letters.models import LetterVersion

    if letters.latest_issued(review) is not None:
        return
    held = review.held_at.astimezone(LONDON).date()
    first = letters.draft(review, author)
    letters.save_draft(first, first.version_counter, **LETTER_TEXT)
    letters.set_actions(first, _letter_actions(held, 21))
    first = letters.issue(first, author)
    second = letters.draft(review, author)
    letters.set_actions(second, _letter_actions(held, 28))
    second = letters.issue(second, author, reason="The date for asking about seeing your brother was wrong: "
                                                  "it is four weeks after your review, not three.")
    db.session.flush()
    now = datetime.now(LONDON)
    for version, days_ago in ((first, 5), (second, 2)):
        when = now - timedelta(days=days_ago)
        # Issued versions refuse changes through the ORM; the demo dates them with one plain UPDATE.
        db.session.execute(db.update(LetterVersion).where(LetterVersion.id == version.id)
                           .values(issued_at=when, created_at=when - timedelta(hours=1), updated_at=when),
                           execution_options={"synchronize_session": False})
        db.session.expire(version)


def _letter_links() -> list[dict]:
    """A fresh link for the child whose review was held last week that opens their letter."""
    from portal.letters.reading import issue_letter_link
    from portal.links.services import revoke_links

    review = _held_last_week()
    if review is None:
        return []
    _ensure_letter(review, review.iro)
    revoke_links(review.id, "letter", "child")
    return [{"kind": "letter", "url": issue_letter_link(review), "child": review.child.preferred_name,
             "review_id": review.id}]
