"""Who sees what of the feedback: an IRO their own reviews, collated; a manager the service; figures from
too few responses hidden (and totals that would give them away); administrators and strangers nothing;
and no page shows a single response beside its review's date and IRO."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest

from portal.extensions import db
from portal.feedback import figures
from portal.feedback import questions as forms
from portal.feedback.models import FeedbackAnswer, FeedbackInvitation, FeedbackResponse
from portal.timeutil import LONDON, today
from tests import factories as f

PAGES = ("/feedback", "/feedback/export.csv", "/feedback/comments", "/feedback/themes", "/feedback/forms",
         "/feedback/forms/parent_carer")
MANAGER_ONLY = PAGES[1:]


def monday() -> object:
    day = today()
    return day - timedelta(days=day.weekday())


def held_review(iro, *, days_ago: int = 10):
    child = f.child(iro, preferred_name="Amira")
    held = datetime.combine(today() - timedelta(days=days_ago), time(10), tzinfo=LONDON)
    return f.review(child, status="held", meeting_at=held, held_at=held)


def respond(review, group: str, answers: dict, *, sentiment: float | None = None, themes: str | None = None,
            version=None, week=None) -> FeedbackResponse:
    """A returned form, stored as the form stores it: closed answers as choices, comments as text."""
    version = version or forms.current_version(group)
    kinds = {q["key"]: q["kind"] for q in version.questions}
    response = FeedbackResponse(review_id=review.id, group=group, meeting_kind="subsequent",
                                form_version_id=version.id, week_starting=week or monday())
    for key, value in answers.items():
        text = kinds[key] in ("text", "short")
        response.answers.append(FeedbackAnswer(question_key=key, state="answered",
                                               value_choice=None if text else value,
                                               value_text=value if text else None,
                                               sentiment=sentiment if text else None,
                                               themes=themes if text else None))
    db.session.add(response)
    db.session.flush()
    return response


def invite(review, group: str, *, returned: bool = False) -> FeedbackInvitation:
    invitation = FeedbackInvitation(review_id=review.id, group=group, recipient_ref=f"{group}-x", channel="email",
                                    returned=returned)
    db.session.add(invitation)
    db.session.flush()
    return invitation


def section(page: str, element_id: str) -> str:
    """The text of the element with this id, up to the next figure."""
    start = page.index(f'id="{element_id}"')
    end = page.find('class="portal-figure"', start + 1)
    return page[start:end if end > 0 else len(page)]


@pytest.fixture
def people(app):
    team_a, team_b = f.team("North"), f.team("South")
    people = {"iro_a": f.staff("iro", name="Priya Iro", team=team_a), "iro_b": f.staff("iro", name="Ben Iro", team=team_b),
              "manager": f.staff("manager", name="Mo Manager"), "admin": f.staff("admin"), "team_a": team_a}
    people["review_a"], people["review_b"] = held_review(people["iro_a"]), held_review(people["iro_b"], days_ago=40)
    db.session.commit()
    return people


def test_an_iro_sees_only_their_own_reviews_and_a_manager_the_service(app, client, people):
    for _ in range(10):
        respond(people["review_a"], "parent_carer", {"report_48_hours": "yes"})
        respond(people["review_b"], "parent_carer", {"report_48_hours": "no"})
    for returned in (True, True, False):
        invite(people["review_a"], "parent_carer", returned=returned)
    invite(people["review_b"], "young_person", returned=True)
    db.session.commit()

    mine = figures.collate(figures.scope_for(people["iro_a"]))
    shares = {s.key: s.count for s in next(q for q in mine.questions["parent_carer"] if q.key == "report_48_hours").shares}
    assert shares["yes"] == 10 and shares["no"] == 0
    assert [(r.group, r.sent, r.returned) for r in mine.returns] == [
        ("young_person", 0, 0), ("parent_carer", 3, 2), ("professional", 0, 0)]

    f.sign_in(client, people["iro_a"])
    page = client.get("/feedback").get_data(as_text=True)
    assert "100%" in section(page, "q-parent_carer-report_48_hours")
    assert re.search(r'id="returns-parent_carer".*?>3<.*?>2<.*?67%', page, re.S)
    # An IRO has no team or IRO filter, and asking for another IRO's reviews changes nothing.
    assert 'name="iro"' not in page
    other = client.get(f"/feedback?iro={people['iro_b'].id}").get_data(as_text=True)
    assert "100%" in section(other, "q-parent_carer-report_48_hours")
    assert client.get("/feedback/export.csv").status_code == 403

    client = app.test_client()
    f.sign_in(client, people["manager"])
    service = client.get("/feedback").get_data(as_text=True)
    assert section(service, "q-parent_carer-report_48_hours").count("50%") == 2
    by_team = client.get(f"/feedback?team={people['team_a'].id}").get_data(as_text=True)
    assert "100%" in section(by_team, "q-parent_carer-report_48_hours")
    by_iro = client.get(f"/feedback?iro={people['iro_b'].id}").get_data(as_text=True)
    assert "100%" in section(by_iro, "q-parent_carer-report_48_hours")
    assert re.search(r'id="returns-young_person".*?>1<.*?>1<.*?100%', by_iro, re.S)


def test_a_period_counts_only_what_came_in_during_it(client, people):
    last_year = figures.recent_years()[1]
    for _ in range(10):
        respond(people["review_a"], "parent_carer", {"report_48_hours": "no"}, week=last_year.first_day)
        respond(people["review_a"], "parent_carer", {"report_48_hours": "yes"})
    db.session.commit()
    f.sign_in(client, people["manager"])
    now = client.get("/feedback").get_data(as_text=True)
    then = client.get(f"/feedback?year={last_year.first_day.year}").get_data(as_text=True)
    assert re.search(r"Yes</th>\s*<td[^>]*>100%", section(now, "q-parent_carer-report_48_hours"))
    assert re.search(r"No</th>\s*<td[^>]*>100%", section(then, "q-parent_carer-report_48_hours"))
    dates = client.get(f"/feedback?from={last_year.first_day}&to={today()}").get_data(as_text=True)
    assert section(dates, "q-parent_carer-report_48_hours").count("50%") == 2


def test_figures_from_fewer_responses_than_the_threshold_are_hidden(client, people):
    for _ in range(9):
        respond(people["review_a"], "parent_carer", {"report_48_hours": "yes", "went_well": "Good meeting"},
                sentiment=0.7)
    for _ in range(3):
        invite(people["review_a"], "parent_carer", returned=True)
    db.session.commit()

    f.sign_in(client, people["iro_a"])
    page = client.get("/feedback").get_data(as_text=True)
    hidden = section(page, "q-parent_carer-report_48_hours")
    assert "Fewer than 10 responses: not shown" in hidden and "%" not in hidden
    assert "Good meeting" not in page
    assert "not shown" in section(page, "comments-parent_carer")
    # Counts of invitations are service counts, shown as they are.
    assert re.search(r'id="returns-parent_carer".*?>3<.*?>3<', page, re.S)

    respond(people["review_a"], "parent_carer", {"report_48_hours": "yes", "went_well": "Good meeting"}, sentiment=0.7)
    db.session.commit()
    page = client.get("/feedback").get_data(as_text=True)
    assert "100%" in section(page, "q-parent_carer-report_48_hours")
    assert "Good meeting" in section(page, "comments-parent_carer")


def test_the_threshold_is_the_authoritys_setting(client, people):
    f.authority().suppression_threshold = 3
    for _ in range(3):
        respond(people["review_a"], "parent_carer", {"report_48_hours": "yes"})
    db.session.commit()
    f.sign_in(client, people["iro_a"])
    page = client.get("/feedback").get_data(as_text=True)
    assert "100%" in section(page, "q-parent_carer-report_48_hours")
    assert "fewer than 3 responses" in page


def test_secondary_suppression_hides_a_total_that_would_give_a_hidden_figure_away():
    assert figures.hidden_cells({"a": 3, "b": 12, "c": 12}, 10) == ({"a"}, True)
    assert figures.hidden_cells({"a": 3, "b": 8, "c": 12}, 10) == ({"a", "b"}, False)
    assert figures.hidden_cells({"a": 3, "b": 4, "c": 12}, 10) == ({"a", "b"}, True)
    assert figures.hidden_cells({"a": 0, "b": 12, "c": 12}, 10) == (set(), False)
    assert figures.hidden_cells({"a": 0, "b": 4, "c": 0}, 10) == ({"b"}, True)


def test_the_comments_total_is_hidden_when_one_group_is(client, people):
    for _ in range(3):
        respond(people["review_a"], "young_person", {"anything_else": "It was fine"}, sentiment=0.4)
    for _ in range(12):
        respond(people["review_a"], "parent_carer", {"went_well": "Helpful"}, sentiment=0.5)
        respond(people["review_b"], "professional", {"comments": "Well chaired"}, sentiment=0.5)
    db.session.commit()
    f.sign_in(client, people["manager"])
    page = client.get("/feedback").get_data(as_text=True)
    assert "not shown" in section(page, "comments-young_person")
    assert "not shown" in section(page, "comments-all")
    assert "100%" in section(page, "comments-parent_carer")
    assert "It was fine" not in page

    # Two groups hidden whose comments together reach the threshold: the total gives neither away.
    for _ in range(7):
        respond(people["review_a"], "professional", {"comments": "Too short notice"}, sentiment=-0.5)
    db.session.commit()
    summaries, totals = figures.comment_summaries(figures.scope_for(people["manager"], iro_id=people["iro_a"].id))
    assert [s.hidden for s in summaries] == [True, False, True]
    assert not totals.hidden and totals.count == 22


def test_a_question_asked_of_two_groups_has_its_total_suppressed_too(app, people):
    young = forms.current_version("young_person")
    parent = forms.new_version("parent_carer", [*forms.built_in_questions("parent_carer"),
                                                {**young.questions[3]}], people["manager"].id)
    for _ in range(4):
        respond(people["review_a"], "young_person", {"listened": "yes"})
    for _ in range(12):
        respond(people["review_a"], "parent_carer", {"listened": "no"}, version=parent)
    shared = figures.collate(figures.scope_for(people["manager"])).shared
    assert [(s.key, s.hidden) for s in shared] == [("listened", True)]
    for _ in range(6):
        respond(people["review_a"], "young_person", {"listened": "yes"})
    shared = figures.collate(figures.scope_for(people["manager"])).shared
    assert not shared[0].hidden and shared[0].answered == 22


@pytest.mark.parametrize("role", ["admin", None])
def test_administrators_and_people_not_signed_in_are_refused(client, people, role):
    if role:
        f.sign_in(client, people[role])
    for path in PAGES + ("/feedback/themes/1", "/feedback/comments/1"):
        response = client.get(path)
        if role:
            assert response.status_code == 403, path
        else:
            assert response.status_code in (302, 303) and "/sign-in" in response.headers["Location"], path


def test_an_iro_may_not_use_the_managers_pages(client, people):
    f.sign_in(client, people["iro_a"])
    for path in MANAGER_ONLY:
        assert client.get(path).status_code == 403, path


def test_no_page_shows_a_response_beside_its_review_date_and_iro(client, people):
    for _ in range(10):
        respond(people["review_a"], "parent_carer", {"report_48_hours": "yes", "went_well": "Zebra crossing words"},
                sentiment=0.2)
    db.session.commit()
    answer = db.session.scalar(db.select(FeedbackAnswer).filter_by(question_key="went_well"))
    meeting = people["review_a"].meeting_at.astimezone(LONDON).date()
    review_dates = [meeting.isoformat(), meeting.strftime("%d/%m/%Y"), f"{meeting.day} {meeting:%B %Y}",
                    f"{meeting.day} {meeting:%B}"]
    f.sign_in(client, people["manager"])
    for path in ("/feedback", "/feedback/comments", f"/feedback/comments/{answer.id}", "/feedback/export.csv"):
        page = client.get(path).get_data(as_text=True)
        assert "Zebra crossing words" in page, path
        # The filters name the IROs; nothing else on the page does, and no review's date is shown.
        beyond_filters = re.sub(r'<form method="get".*?</form>', "", page, flags=re.S)
        for words in ["Priya Iro", "Ben Iro", "Amira", *review_dates]:
            assert words not in beyond_filters, (path, words)
        assert f"/reviews/{people['review_a'].id}" not in page


def test_a_narrowed_figure_is_hidden_when_the_rest_of_the_service_is_too_few(client, people):
    """Complementary suppression: the service less one IRO's figures must not show another IRO's three."""
    for _ in range(12):
        respond(people["review_a"], "parent_carer", {"report_48_hours": "yes", "went_well": "Fine"}, sentiment=0.3)
    for _ in range(3):
        respond(people["review_b"], "parent_carer", {"report_48_hours": "no", "went_well": "Poor"}, sentiment=-0.6)
    db.session.commit()
    f.sign_in(client, people["manager"])
    service = client.get("/feedback").get_data(as_text=True)
    assert "80%" in section(service, "q-parent_carer-report_48_hours")
    for narrowed in (f"/feedback?iro={people['iro_a'].id}", f"/feedback?iro={people['iro_b'].id}",
                     f"/feedback?team={people['team_a'].id}"):
        page = client.get(narrowed).get_data(as_text=True)
        assert "not shown" in section(page, "q-parent_carer-report_48_hours"), narrowed
        assert "not shown" in section(page, "comments-parent_carer") and "not shown" in section(page, "comments-all")
    # The IRO's own view is not a part of anything they can see more of: shown.
    client = client.application.test_client()
    f.sign_in(client, people["iro_a"])
    assert "100%" in section(client.get("/feedback").get_data(as_text=True), "q-parent_carer-report_48_hours")


def test_a_period_is_counted_in_whole_months(app, people):
    year = figures.recent_years()[0]
    scope = figures.scope_for(people["manager"], first_day=year.first_day.replace(day=14),
                              last_day=year.first_day.replace(month=6, day=3))
    assert (scope.first_day, scope.last_day) == (year.first_day, year.first_day.replace(month=6, day=30))
    assert figures.base_scope(scope) == figures.scope_for(people["manager"])
    assert figures.scope_for(people["iro_a"], team_id=1, iro_id=people["iro_b"].id).iro_id is None
