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
    assert db.session.scalar(db.select(db.func.count()).select_from(Child)) == 8
    assert {link["url"] for link in first["links"]}.isdisjoint({link["url"] for link in second["links"]})
    assert first["staff"] == second["staff"]
    # Fresh links replace the earlier ones: a forwarded old link stops working, the new one works.
    for old, new in zip(first["links"], second["links"], strict=True):
        assert client.get(old["url"].removeprefix(first["base_url"])).status_code == 404
        assert client.get(new["url"].removeprefix(second["base_url"])).status_code == 200


def test_demo_children_cover_every_age_and_a_review_held_last_week(runner):
    _demo(runner)
    children = db.session.scalars(db.select(Child)).all()
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
