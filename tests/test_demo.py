"""`flask demo`: idempotent demo data, and `--json` with sign-ins and fresh private links."""

from __future__ import annotations

import json
from datetime import timedelta

from portal.extensions import db
from portal.reviews.models import Child, Review
from portal.reviews.services import age_on
from portal.timeutil import london_date, today
from tests import factories as f


def _demo(runner) -> dict:
    result = runner.invoke(args=["demo", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_demo_json_has_sign_ins_and_a_booklet_link_per_version(runner, client):
    data = _demo(runner)
    assert set(data) >= {"base_url", "staff", "links"}
    assert {person["role"] for person in data["staff"]} == {"iro", "manager", "admin"}
    assert all({"role", "email", "password"} <= set(person) for person in data["staff"])
    booklets = [link for link in data["links"] if link["kind"] == "booklet"]
    assert [link["version"] for link in booklets] == ["4-7", "4-11", "12-17"]
    for link in booklets:
        assert link["url"].startswith(data["base_url"] + "/l/")
        landing = client.get(link["url"].removeprefix(data["base_url"]))
        assert landing.status_code == 200 and "Start" in landing.get_data(as_text=True)


def test_demo_is_idempotent_and_issues_fresh_links_each_time(runner, client):
    first, second = _demo(runner), _demo(runner)
    assert db.session.scalar(db.select(db.func.count()).select_from(Child).where(Child.case_reference.like("DEMO-_"))) == 8
    assert {link["url"] for link in first["links"]}.isdisjoint({link["url"] for link in second["links"]})
    assert first["staff"] == second["staff"]
    # Fresh links replace the earlier ones: a forwarded old link stops working, the new one works.
    for old, new in zip(first["links"], second["links"], strict=True):
        assert client.get(old["url"].removeprefix(first["base_url"])).status_code == 404
        assert client.get(new["url"].removeprefix(second["base_url"])).status_code == 200


def test_demo_children_cover_every_age_and_a_review_held_last_week(runner):
    _demo(runner)
    children = db.session.scalars(db.select(Child).where(Child.case_reference.like("DEMO-_"))).all()
    ages = sorted(age_on(child.date_of_birth, today()) for child in children)
    assert ages[0] == 3 and 16 in ages and len(ages) == 8
    held = db.session.scalars(db.select(Review).filter_by(status="held")).all()
    assert any(today() - timedelta(days=8) <= london_date(review.held_at) < today() for review in held)
    assert db.session.scalars(db.select(Review).filter_by(status="planned")).all()


def test_the_printed_iro_can_sign_in_and_see_their_children(runner, app):
    data = _demo(runner)
    iro = next(person for person in data["staff"] if person["role"] == "iro")
    client = app.test_client()
    from portal.staff.models import StaffUser

    user = db.session.scalar(db.select(StaffUser).filter_by(email=iro["email"]))
    assert f.sign_in(client, user, password=iro["password"]).status_code == 303
    page = client.get("/children").get_data(as_text=True)
    assert "Leo" in page and "Jordan" in page


def test_demo_refuses_in_production(app, runner):
    app.config["PRODUCTION"] = True
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output


def test_demo_has_a_feedback_link_per_group_that_opens_and_two_years_of_responses(runner, client):
    from portal.feedback.models import FeedbackResponse

    data = _demo(runner)
    feedback = {link["group"]: link for link in data["links"] if link["kind"] == "feedback"}
    assert set(feedback) == {"young_person", "parent_carer", "professional"}
    for group in ("parent_carer", "professional"):
        page = client.get(feedback[group]["url"].removeprefix(data["base_url"]))
        assert page.status_code == 200 and "Send my answers" in page.get_data(as_text=True)
    # The young person's own link: after the review, the offer starts their session and leads to the form.
    path = feedback["young_person"]["url"].removeprefix(data["base_url"])
    assert "Tell us how your review went" in client.get(path).get_data(as_text=True)
    assert client.post(path, data={"offer": "feedback"}).headers["Location"].endswith("/feedback/mine")
    assert "Really happy" in client.get("/feedback/mine").get_data(as_text=True)
    responses = db.session.scalars(db.select(FeedbackResponse)).all()
    assert len(responses) >= 250
    assert {r.group for r in responses} == {"young_person", "parent_carer", "professional"}
    weeks = sorted({r.week_starting for r in responses})
    assert (weeks[-1] - weeks[0]).days > 600 and len(weeks) > 40
    iros = db.session.scalars(db.select(Review.iro_id).join(FeedbackResponse, FeedbackResponse.review_id == Review.id)
                              .distinct()).all()
    assert len(iros) == 2
    # Fresh links each time; nothing added to the history.
    again = _demo(runner)
    assert db.session.scalar(db.select(db.func.count()).select_from(FeedbackResponse)) == len(responses)
    assert {link["url"] for link in again["links"]}.isdisjoint({link["url"] for link in data["links"]})


def _demo_letter_versions(review_id: int):
    from portal.letters.models import Letter, LetterVersion

    return db.session.scalars(db.select(LetterVersion).join(Letter).where(Letter.review_id == review_id)
                              .order_by(LetterVersion.number)).all()


def test_demo_has_a_letter_link_that_opens_the_letter_with_two_issued_versions(runner, client):
    data = _demo(runner)
    letters = [link for link in data["links"] if link["kind"] == "letter"]
    assert len(letters) == 1
    link = letters[0]
    assert link["url"].startswith(data["base_url"] + "/l/") and link["child"] == "Ellie"
    review = db.session.get(Review, link["review_id"])
    assert review.status == "held" and today() - timedelta(days=10) <= london_date(review.held_at) < today()
    versions = _demo_letter_versions(review.id)
    assert [(v.number, v.status) for v in versions] == [(1, "issued"), (2, "issued")]
    first, second = versions
    assert london_date(first.issued_at) == today() - timedelta(days=5)
    assert london_date(second.issued_at) == today() - timedelta(days=2)
    assert second.correction_reason and london_date(review.held_at) < london_date(first.issued_at)
    assert all(getattr(first, name) for name in ("greeting", "who_came", "what_you_told_us", "going_well", "worries",
                                                 "next_review_text", "contact_text"))
    assert 2 <= len(second.actions) <= 3 and all(a.who and a.by_when for a in second.actions)
    changed = [(a.by_when, b.by_when) for a, b in zip(first.actions, second.actions, strict=True)
               if a.by_when != b.by_when]
    assert len(changed) == 1
    # The link opens: its landing page, then Start leads to the letter (version 2).
    path = link["url"].removeprefix(data["base_url"])
    landing = client.get(path)
    assert landing.status_code == 200
    started = client.post(path, data={"csrf_token": f.csrf_token(client, path)})
    assert started.status_code in (302, 303)
    letter = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Ellie" in letter and "art club" in letter


def test_running_the_demo_twice_keeps_two_letter_versions_and_prints_the_link(runner):
    first = _demo(runner)
    second = _demo(runner)
    review_id = next(link["review_id"] for link in second["links"] if link["kind"] == "letter")
    assert review_id == next(link["review_id"] for link in first["links"] if link["kind"] == "letter")
    assert [v.number for v in _demo_letter_versions(review_id)] == [1, 2]
    text = runner.invoke(args=["demo"])
    assert text.exit_code == 0
    assert any(line.strip().startswith("letter") and "/l/" in line for line in text.output.splitlines())
