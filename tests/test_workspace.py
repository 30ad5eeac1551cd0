"""The IRO workspace: my children, adding a child, planning and recording reviews, the service list."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from babel.dates import format_date

from portal.audit.models import AuditEvent
from portal.booklet.models import Booklet
from portal.booklet.questions import CURRENT_SET
from portal.booklet.staff_forms import ParticipationForm
from portal.extensions import db
from portal.reviews import participation, workspace
from portal.reviews.forms import OutcomeForm
from portal.reviews.models import CHAIRING, PN_CODES, Child, Review
from portal.reviews.services import (
    BankHolidayDataExhausted,
    add_working_days,
    bank_holiday_data_range,
    latest_invitation_date,
    review_due_date,
)
from portal.timeutil import LONDON, as_utc, today
from tests import factories as f


def page(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app, user):
    client = app.test_client()
    response = f.sign_in(client, user)
    assert response.status_code == 303, page(response)
    return client


def post_form(client, path, data):
    return client.post(path, data={"csrf_token": f.csrf_token(client, path), **data})


def long_date(day: date) -> str:
    return format_date(day, "d MMMM y", locale="en")


def audit_actions(record_type: str, record_id: int) -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action).filter_by(record_type=record_type,
                                                                          record_id=record_id)))


# --- My children --------------------------------------------------------------------------------------


def test_an_iro_sees_only_their_own_children(app):
    mine, theirs = f.staff("iro"), f.staff("iro")
    amira = f.child(mine, preferred_name="Amira")
    bilal = f.child(theirs, preferred_name="Bilal")
    f.review(amira, days_ahead=30)
    bilal_review = f.review(bilal, days_ahead=30)
    db.session.commit()
    client = signed_in(app, mine)

    listing = page(client.get("/children"))
    assert "Amira" in listing and "Bilal" not in listing
    assert client.get(f"/children/{bilal.id}").status_code == 404
    assert client.get(f"/children/{bilal.id}/reviews/new").status_code == 404
    assert client.get(f"/reviews/{bilal_review.id}/outcome").status_code == 404
    assert client.get(f"/children/{amira.id}").status_code == 200


def test_my_children_sorts_by_soonest_review_and_warns_when_none_is_planned(app):
    iro = f.staff("iro")
    later = f.child(iro, preferred_name="Later")
    sooner = f.child(iro, preferred_name="Sooner")
    nothing = f.child(iro, preferred_name="Nothing", came_into_care=today() - timedelta(days=60))
    f.review(later, days_ahead=60)
    f.review(sooner, days_ahead=30)
    db.session.commit()
    client = signed_in(app, iro)

    listing = page(client.get("/children"))
    # No review planned and the first review was due 20 working days after coming into care: overdue, first.
    due = review_due_date(came_into_care=nothing.came_into_care, previous_review_held=None, reviews_held=0)
    assert f"No review planned — due by {long_date(due)}" in listing
    assert listing.index("Nothing") < listing.index("Sooner") < listing.index("Later")
    assert "30 days" in listing


def test_late_invitation_is_marked_in_words_until_the_booklet_is_sent(app):
    iro = f.staff("iro")
    soon = f.child(iro, preferred_name="Soon")
    # Five days away: the 10-working-day invite-by date has passed.
    review = f.review(soon, days_ahead=5)
    db.session.commit()
    client = signed_in(app, iro)

    listing = page(client.get("/children"))
    assert "Late: the invitation has not been sent" in listing
    invite_by = latest_invitation_date(workspace.meeting_date(review), 10)
    assert long_date(invite_by) in listing

    db.session.add(Booklet(review_id=review.id, version="4-11", question_set=CURRENT_SET["4-11"], invited_at=datetime.now(UTC)))
    db.session.commit()
    listing = page(client.get("/children"))
    assert "Late: the invitation has not been sent" not in listing
    assert "Invitation sent" in listing


def test_a_manager_sees_their_own_teams_children_and_a_link_to_the_service(app):
    north, south = f.team("North"), f.team("South")
    manager = f.staff("manager", team=north)
    f.child(f.staff("iro", team=north), preferred_name="Northern")
    southern = f.child(f.staff("iro", team=south), preferred_name="Southern")
    db.session.commit()
    client = signed_in(app, manager)

    listing = page(client.get("/children"))
    assert "Northern" in listing and "Southern" not in listing
    assert "/service" in listing
    # "Children in my team" is what the page shows, not what a manager may see: the whole authority.
    assert client.get(f"/children/{southern.id}").status_code == 200
    assert "Southern" in page(client.get("/service"))


def test_an_administrator_sees_no_children(app):
    admin = f.staff("admin")
    iro = f.staff("iro")
    kid = f.child(iro)
    db.session.commit()
    client = signed_in(app, admin)
    assert client.get("/children").status_code == 403
    assert client.get(f"/children/{kid.id}").status_code == 403
    assert client.get("/children/new").status_code == 403


# --- Add a child --------------------------------------------------------------------------------------


def child_form(**changes) -> dict:
    born = today() - timedelta(days=365 * 9)
    came = today() - timedelta(days=30)
    data = {
        "preferred_name": "Zara", "first_name": "Zarah", "pronouns": "she/her", "preferred_language": "cy",
        "words_to_use": "family time, not contact", "case_reference": "CR-77",
        "date_of_birth": [str(born.day), str(born.month), str(born.year)],
        "came_into_care": [str(came.day), str(came.month), str(came.year)],
    }
    data.update(changes)
    return data


def test_an_impossible_date_of_birth_is_explained_and_nothing_typed_is_lost(app):
    iro = f.staff("iro")
    db.session.commit()
    client = signed_in(app, iro)

    response = post_form(client, "/children/new", child_form(date_of_birth=["31", "2", "2015"]))
    html = page(response)
    assert response.status_code == 200
    assert "Date of birth must be a real date" in html
    assert 'href="#date_of_birth"' in html  # the error summary leads to the field
    for typed in ('value="Zara"', 'value="Zarah"', 'value="she/her"', "family time, not contact", 'value="CR-77"',
                  'value="31"', 'value="2015"'):
        assert typed in html, typed
    assert re.search(r'<option value="cy"\s+selected', html)
    assert db.session.scalar(db.select(db.func.count(Child.id))) == 0


@pytest.mark.parametrize("changes, message", [
    ({"preferred_name": ""}, "Enter the name they like to be called"),
    ({"date_of_birth": ["", "", ""]}, "Enter date of birth"),
    ({"date_of_birth": ["1", "", "2015"]}, "Date of birth must include a month"),
    ({"date_of_birth": ["1", "1", "15"]}, "Date of birth must be a real date"),
    ({"date_of_birth": ["1", "1", str(today().year + 1)]}, "Date of birth must be today or in the past"),
    ({"date_of_birth": ["1", "1", str(today().year - 30)]}, "up to 25"),
    ({"came_into_care": ["1", "1", str(today().year + 1)]}, "must be today or in the past"),
    ({"date_of_birth": ["1", "1", str(today().year - 5)], "came_into_care": ["1", "1", str(today().year - 7)]},
     "must be on or after their date of birth"),
])
def test_add_child_errors(app, changes, message):
    iro = f.staff("iro")
    db.session.commit()
    client = signed_in(app, iro)
    response = post_form(client, "/children/new", child_form(**changes))
    assert response.status_code == 200
    assert message in page(response)
    assert db.session.scalar(db.select(db.func.count(Child.id))) == 0


def test_an_iro_adds_a_child_of_their_own(app):
    iro = f.staff("iro")
    db.session.commit()
    client = signed_in(app, iro)
    form = page(client.get("/children/new"))
    assert 'name="iro_id"' not in form  # an IRO's children are their own
    assert "address" not in re.findall(r'name="([^"]+)"', form)

    response = post_form(client, "/children/new", child_form())
    assert response.status_code == 303
    child = db.session.scalar(db.select(Child))
    assert (child.preferred_name, child.first_name, child.iro_id, child.preferred_language) == ("Zara", "Zarah", iro.id, "cy")
    assert child.words_to_use == "family time, not contact"
    assert audit_actions("child", child.id) == ["child_added"]
    assert "Zara" in page(client.get(response.headers["Location"]))


def test_a_manager_adds_a_child_for_an_iro_they_choose(app):
    manager = f.staff("manager", team=f.team())
    iro = f.staff("iro", name="Priya Shah")
    f.staff("iro", name="Gone Away").active = False
    db.session.commit()
    client = signed_in(app, manager)
    form = page(client.get("/children/new"))
    assert "Priya Shah" in form and "Gone Away" not in form

    assert "Choose their Independent Reviewing Officer" in page(post_form(client, "/children/new",
                                                                          child_form(iro_id="0")))
    response = post_form(client, "/children/new", child_form(iro_id=str(iro.id)))
    assert response.status_code == 303
    assert db.session.scalar(db.select(Child)).iro_id == iro.id


# --- Plan a review ------------------------------------------------------------------------------------


def test_plan_a_review_is_prefilled_with_the_due_date_and_saves_london_time(app):
    iro = f.staff("iro")
    kid = f.child(iro, preferred_name="Nia", came_into_care=today() - timedelta(days=2))
    db.session.commit()
    client = signed_in(app, iro)
    due = review_due_date(came_into_care=kid.came_into_care, previous_review_held=None, reviews_held=0)

    form = page(client.get(f"/children/{kid.id}/reviews/new"))
    assert f"Due by {long_date(due)} (first review: within 20 working days of coming into care, reg 33)" in form
    assert re.search(rf'id="meeting_date-day"[^>]*value="{due.day:02d}"', form)
    assert re.search(rf'id="meeting_date-year"[^>]*value="{due.year}"', form)

    response = post_form(client, f"/children/{kid.id}/reviews/new", {
        "meeting_date": [str(due.day), str(due.month), str(due.year)], "meeting_time": "14:30", "place": "School"})
    assert response.status_code == 303
    review = db.session.scalar(db.select(Review))
    assert (review.number, review.status, review.place, review.iro_id) == ("first", "planned", "School", iro.id)
    assert as_utc(review.meeting_at).astimezone(LONDON).replace(tzinfo=None) == datetime.combine(due, time(14, 30))
    assert "review_planned" in audit_actions("review", review.id)
    invite_by = latest_invitation_date(due, 10)
    assert long_date(invite_by) in page(client.get(response.headers["Location"]))


def test_a_second_review_is_numbered_and_due_three_months_after_the_first(app):
    iro = f.staff("iro")
    kid = f.child(iro, came_into_care=today() - timedelta(days=40))
    held_on = today() - timedelta(days=10)
    f.review(kid, status="held", number="first",
             meeting_at=datetime.combine(held_on, time(10), tzinfo=LONDON).astimezone(UTC))
    db.session.commit()
    client = signed_in(app, iro)
    form = page(client.get(f"/children/{kid.id}/reviews/new"))
    due = review_due_date(came_into_care=kid.came_into_care, previous_review_held=held_on, reviews_held=1)
    assert f"Due by {long_date(due)} (second review: within 3 months of the first, reg 33)" in form
    assert "This will be their second review." in form


def test_a_date_after_the_due_date_warns_but_saves(app):
    iro = f.staff("iro")
    kid = f.child(iro, came_into_care=today() - timedelta(days=2))
    db.session.commit()
    client = signed_in(app, iro)
    due = review_due_date(came_into_care=kid.came_into_care, previous_review_held=None, reviews_held=0)
    late = add_working_days(due, 5)
    response = post_form(client, f"/children/{kid.id}/reviews/new", {
        "meeting_date": [str(late.day), str(late.month), str(late.year)], "meeting_time": "9:05"})
    assert response.status_code == 303
    assert f"after the review is due ({long_date(due)})" in page(client.get(response.headers["Location"]))
    assert as_utc(db.session.scalar(db.select(Review)).meeting_at).astimezone(LONDON).time() == time(9, 5)


@pytest.mark.parametrize("day, clock, message", [
    (lambda: today() - timedelta(days=1), "10:00", "must be today or in the future"),
    (lambda: today() + timedelta(days=20), "25:00", "Enter a time using the 24-hour clock"),
    (lambda: today() + timedelta(days=20), "", "Enter the start time"),
])
def test_plan_review_errors(app, day, clock, message):
    iro = f.staff("iro")
    kid = f.child(iro)
    db.session.commit()
    client = signed_in(app, iro)
    when = day()
    response = post_form(client, f"/children/{kid.id}/reviews/new", {
        "meeting_date": [str(when.day), str(when.month), str(when.year)], "meeting_time": clock, "place": "Home"})
    assert response.status_code == 200
    assert message in page(response)
    assert 'value="Home"' in page(response)
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 0


def test_a_date_beyond_the_bank_holiday_data_is_a_form_error_not_a_crash(app):
    iro = f.staff("iro")
    kid = f.child(iro)
    db.session.commit()
    client = signed_in(app, iro)
    last = bank_holiday_data_range()[1]
    beyond = date(last.year + 1, 3, 15)
    with pytest.raises(BankHolidayDataExhausted):
        latest_invitation_date(beyond, 10)
    response = post_form(client, f"/children/{kid.id}/reviews/new", {
        "meeting_date": ["15", "3", str(beyond.year)], "meeting_time": "10:00"})
    assert response.status_code == 200
    html = page(response)
    assert "bank holiday list ends" in html and long_date(last) in html
    assert 'href="#meeting_date"' in html
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 0


# --- Record a review ----------------------------------------------------------------------------------


def test_record_a_review_as_held(app):
    iro = f.staff("iro")
    kid = f.child(iro, age=9)
    review = f.review(kid, days_ahead=-1)
    db.session.commit()
    client = signed_in(app, iro)
    path = f"/reviews/{review.id}/outcome"
    form = page(client.get(path))
    for code in PN_CODES:
        assert code in form
    assert "PN6: Does not attend but conveys their views another way (for example, a booklet)" in form
    assert "The child co-chaired it" in form
    meeting = as_utc(review.meeting_at).astimezone(LONDON)
    assert f'value="{meeting:%H:%M}"' in form  # held time defaults to the meeting

    held = today() - timedelta(days=1)
    response = post_form(client, path, {"outcome": "held", "held_date": [str(held.day), str(held.month), str(held.year)],
                                        "held_time": "10:15", "participation_code": "PN6", "chairing": "co-chaired"})
    assert response.status_code == 303
    db.session.refresh(review)
    assert (review.status, review.participation_code, review.chairing) == ("held", "PN6", "co-chaired")
    assert as_utc(review.held_at).astimezone(LONDON).replace(tzinfo=None) == datetime.combine(held, time(10, 15))
    assert "review_held" in audit_actions("review", review.id)
    child_page = page(client.get(f"/children/{kid.id}"))
    assert "Held" in child_page and "PN6" in child_page


def test_a_review_cannot_be_held_in_the_future_or_cancelled_without_a_reason(app):
    iro = f.staff("iro")
    review = f.review(f.child(iro), days_ahead=3)
    db.session.commit()
    client = signed_in(app, iro)
    path = f"/reviews/{review.id}/outcome"
    future = today() + timedelta(days=3)
    response = post_form(client, path, {"outcome": "held", "held_time": "10:00",
                                        "held_date": [str(future.day), str(future.month), str(future.year)]})
    assert "The date it was held must be today or in the past" in page(response)
    assert "Say why the review was cancelled" in page(post_form(client, path, {"outcome": "cancelled"}))
    assert "Choose whether the review was held or cancelled" in page(post_form(client, path, {}))
    db.session.refresh(review)
    assert review.status == "planned"


def test_record_a_review_as_cancelled(app):
    iro = f.staff("iro")
    review = f.review(f.child(iro), days_ahead=3)
    db.session.commit()
    client = signed_in(app, iro)
    response = post_form(client, f"/reviews/{review.id}/outcome",
                         {"outcome": "cancelled", "cancelled_reason": "Moved to a new home"})
    assert response.status_code == 303
    db.session.refresh(review)
    assert (review.status, review.cancelled_reason, review.held_at) == ("cancelled", "Moved to a new home", None)
    assert "review_cancelled" in audit_actions("review", review.id)


def test_a_child_under_four_is_suggested_pn0(app):
    iro = f.staff("iro")
    review = f.review(f.child(iro, age=2), days_ahead=-1)
    db.session.commit()
    client = signed_in(app, iro)
    form = page(client.get(f"/reviews/{review.id}/outcome"))
    assert re.search(r'value="PN0"\s+checked', form) or re.search(r'checked[^>]*value="PN0"', form)


# --- The service list ---------------------------------------------------------------------------------


def test_the_service_list_groups_by_team_and_iro_with_counts(app):
    north, south = f.team("North team"), f.team("South team")
    manager = f.staff("manager", team=north)
    priya = f.staff("iro", team=north, name="Priya Shah")
    tom = f.staff("iro", team=south, name="Tom Evans")
    f.review(f.child(priya, preferred_name="Maya"), days_ahead=40)
    f.review(f.child(priya, preferred_name="Sam"), days_ahead=4)  # late invitation
    f.child(tom, preferred_name="Kai", came_into_care=today() - timedelta(days=90))  # overdue: nothing planned
    f.review(f.child(tom, preferred_name="Nia"), days_ahead=60)
    db.session.commit()
    client = signed_in(app, manager)

    html = page(client.get("/service"))
    for text in ("North team", "South team", "Priya Shah", "Tom Evans", "Maya", "Sam", "Kai", "Nia"):
        assert text in html, text
    groups = html[html.index('id="total-overdue"'):]
    assert groups.index("North team") < groups.index("Priya Shah") < groups.index("South team") < groups.index("Tom Evans")
    assert re.search(r'id="total-planned">\s*3<', html)
    assert re.search(r'id="total-late">\s*1<', html)
    assert re.search(r'id="total-overdue">\s*1<', html)

    south_only = page(client.get(f"/service?team={south.id}"))
    assert "Tom Evans" in south_only and "Priya Shah" not in south_only and "Maya" not in south_only
    assert client.get("/service?team=99999").status_code == 404


def test_only_managers_see_the_service_list(app):
    iro, admin = f.staff("iro"), f.staff("admin")
    db.session.commit()
    assert signed_in(app, iro).get("/service").status_code == 403
    assert signed_in(app, admin).get("/service").status_code == 403


# --- workspace functions ------------------------------------------------------------------------------


def _review(meeting_day: date, status="planned", **fields) -> Review:
    return Review(meeting_at=workspace.london_meeting(meeting_day, time(10)), status=status, number="subsequent",
                  **fields)


def test_days_left_and_invite_by():
    on = date(2026, 3, 2)  # a Monday
    review = _review(date(2026, 3, 16))
    assert workspace.days_left(review, on) == 14
    assert workspace.days_left(_review(date(2026, 3, 1)), on) == -1
    assert workspace.invite_by(review, 10) == date(2026, 3, 2)
    assert workspace.invite_by(_review(date(bank_holiday_data_range()[1].year + 1, 6, 1)), 10) is None


def test_invitation_late_only_after_the_invite_by_day_and_while_unsent():
    invite_by = date(2026, 3, 2)
    assert not workspace.invitation_late(invite_by, False, date(2026, 3, 2))
    assert workspace.invitation_late(invite_by, False, date(2026, 3, 3))
    assert not workspace.invitation_late(invite_by, True, date(2026, 3, 3))
    assert not workspace.invitation_late(None, False, date(2026, 3, 3))


def test_london_meeting_is_stored_as_utc_across_summer_time():
    summer = workspace.london_meeting(date(2026, 7, 1), time(10))
    winter = workspace.london_meeting(date(2026, 1, 15), time(10))
    assert summer == datetime(2026, 7, 1, 9, tzinfo=UTC)
    assert winter == datetime(2026, 1, 15, 10, tzinfo=UTC)


def test_due_date_and_number_follow_held_reviews():
    child = Child(came_into_care=date(2026, 1, 5), date_of_birth=date(2016, 1, 1), preferred_name="A")
    assert workspace.next_review_number(child) == "first"
    assert workspace.due_date(child) == review_due_date(came_into_care=date(2026, 1, 5), previous_review_held=None,
                                                        reviews_held=0)
    child.reviews = [_review(date(2026, 1, 20), status="held"), _review(date(2026, 2, 1), status="cancelled")]
    assert workspace.next_review_number(child) == "second"
    assert workspace.due_date(child) == review_due_date(came_into_care=date(2026, 1, 5),
                                                        previous_review_held=date(2026, 1, 20), reviews_held=1)
    child.reviews.append(_review(date(2026, 4, 10), status="held",
                                 held_at=workspace.london_meeting(date(2026, 4, 9), time(15))))
    assert workspace.next_review_number(child) == "subsequent"
    assert workspace.due_date(child) == date(2026, 10, 9)


def test_child_row_flags_late_and_overdue(app):
    iro = f.staff("iro")
    late_child = f.child(iro, preferred_name="Late")
    f.review(late_child, days_ahead=3)
    overdue_child = f.child(iro, preferred_name="Overdue", came_into_care=today() - timedelta(days=100))
    fine_child = f.child(iro, preferred_name="Fine", came_into_care=today())
    db.session.commit()
    rows = {row.child.preferred_name: row for row in workspace.child_rows([late_child, overdue_child, fine_child],
                                                                          working_days=10)}
    assert rows["Late"].late and not rows["Late"].overdue and rows["Late"].days_left == 3
    assert rows["Overdue"].overdue and rows["Overdue"].review is None and not rows["Overdue"].late
    assert not rows["Fine"].overdue and rows["Fine"].number == "first"
    assert [row.child.preferred_name for row in workspace.child_rows([fine_child, late_child, overdue_child],
                                                                     working_days=10)] == ["Overdue", "Late", "Fine"]


def test_every_pn_code_has_a_meaning(app):
    assert list(participation.PN_MEANINGS) == list(PN_CODES) == list(participation.PN_LABELS)
    assert list(participation.CHAIRING_LABELS) == list(CHAIRING)
    with app.test_request_context():
        assert all(str(text) for text in participation.PN_MEANINGS.values())
        assert str(participation.PN_LABELS["PN0"]) == "PN0: Under 4 at the time of the review"
        assert str(participation.PN_LABELS["PN7"]) == "PN7: Does not attend and their views are not conveyed"


def test_the_outcome_form_and_the_booklet_use_one_table_of_labels(app):
    """Recording a PN code on the outcome form or on the booklet page offers the same words."""
    with app.test_request_context():
        wanted_pn = [(code, str(participation.PN_LABELS[code])) for code in PN_CODES]
        wanted_chairing = [(value, str(participation.CHAIRING_LABELS[value])) for value in CHAIRING]
        for form in (ParticipationForm(prefix="pn", meta={"csrf": False}), OutcomeForm(meta={"csrf": False})):
            assert [(value, str(label)) for value, label, *_ in form.participation_code.iter_choices()] == wanted_pn
            assert [(value, str(label)) for value, label, *_ in form.chairing.iter_choices()] == wanted_chairing


# --- Reviews planned after their due date -------------------------------------------------------------


def test_the_lists_say_when_a_review_is_planned_after_its_due_date(app):
    north = f.team("North")
    manager = f.staff("manager", team=north)
    iro = f.staff("iro", team=north)
    tardy = f.child(iro, preferred_name="Tardy", came_into_care=today() - timedelta(days=60))
    f.review(tardy, days_ahead=20, number="first")
    prompt = f.child(iro, preferred_name="Prompt", came_into_care=today() - timedelta(days=2))
    f.review(prompt, days_ahead=5, number="first")
    db.session.commit()
    due = review_due_date(came_into_care=tardy.came_into_care, previous_review_held=None, reviews_held=0)
    words = f"Due by {long_date(due)}: {(today() + timedelta(days=20) - due).days} days late"

    iro_client, manager_client = signed_in(app, iro), signed_in(app, manager)
    for client, path in ((iro_client, "/children"), (iro_client, f"/children/{tardy.id}"),
                         (manager_client, "/children"), (manager_client, "/service")):
        html = page(client.get(path))
        assert words in html, path
        assert html.count("days late") == 1, path  # Prompt's review is on time
    assert "days late" not in page(iro_client.get(f"/children/{prompt.id}"))
    assert re.search(r'id="total-planned-late">\s*1<', page(manager_client.get("/service")))


def test_planning_after_the_due_date_is_flagged_on_the_plan_page(app):
    iro = f.staff("iro")
    kid = f.child(iro, came_into_care=today() - timedelta(days=60))
    db.session.commit()
    client = signed_in(app, iro)
    due = review_due_date(came_into_care=kid.came_into_care, previous_review_held=None, reviews_held=0)
    # The form starts on today, which is after the due date: the page says so before anything is saved.
    assert f"This date is after the review is due ({long_date(due)}). You can still save it." in \
        page(client.get(f"/children/{kid.id}/reviews/new"))


def test_lateness_counts_calendar_days_after_the_due_date(app):
    child = Child(came_into_care=date(2026, 1, 5), date_of_birth=date(2016, 1, 1), preferred_name="A")
    due = review_due_date(came_into_care=date(2026, 1, 5), previous_review_held=None, reviews_held=0)
    late, on_time = _review(due + timedelta(days=9)), _review(due)
    cancelled = _review(due + timedelta(days=30), status="cancelled")
    child.reviews = [late, on_time, cancelled]
    assert workspace.lateness(late) == workspace.Lateness(due=due, days=9)
    assert workspace.lateness(on_time) is None and workspace.lateness(cancelled) is None
    assert workspace.lateness(None) is None
    assert workspace.planning_lateness(child, due + timedelta(days=1)) == workspace.Lateness(due=due, days=1)
    assert workspace.planning_lateness(child, due) is None
    # A held review is measured from the review held before it, on the day it was held.
    first = _review(date(2026, 1, 20), status="held")
    second = _review(date(2026, 5, 1), status="held")
    child.reviews = [first, second]
    second_due = review_due_date(came_into_care=date(2026, 1, 5), previous_review_held=date(2026, 1, 20),
                                 reviews_held=1)
    assert workspace.lateness(second) == workspace.Lateness(due=second_due, days=(date(2026, 5, 1) - second_due).days)
    assert workspace.lateness(first) is None
    with app.test_request_context():
        assert str(workspace.Lateness(due=date(2026, 3, 14), days=9)) == "Due by 14 March 2026: 9 days late"
        assert str(workspace.Lateness(due=date(2026, 3, 14), days=1)) == "Due by 14 March 2026: 1 day late"


def test_the_children_list_does_not_query_once_per_child(app):
    """An IRO holds 60-80 children: the list's queries must not grow with them."""
    from sqlalchemy import event

    iro = f.staff("iro")
    db.session.commit()
    client = app.test_client()
    f.sign_in(client, iro)

    def queries_for_list() -> int:
        statements = []
        listener = lambda *args, **kwargs: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/children").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    for number in range(3):
        f.review(f.child(iro, age=6 + number, preferred_name=f"Few {number}"), days_ahead=12 + number)
    db.session.commit()
    queries_for_list()  # the settings are then trusted for a few seconds: both counts below leave them out
    few = queries_for_list()
    for number in range(30):
        f.review(f.child(iro, age=5 + number % 12, preferred_name=f"Many {number}"), days_ahead=15 + number)
    db.session.commit()
    assert queries_for_list() == few
