"""'I need to talk to someone now' is on every page a child can reach, with 999, Childline, Meic and their IRO."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.timeutil import utcnow
from tests import factories as f
from tests.test_booklet_child import _child, _start

NUMBERS = ('href="tel:999"', 'href="tel:08001111"', 'href="tel:08088023456"')


def _has_help(page: str, *, iro_phone: bool = False) -> None:
    assert "I need to talk to someone now" in page
    for number in NUMBERS:
        assert number in page, number
    if iro_phone:
        assert 'href="tel:01000001234"' in page  # the factory IRO's phone


def test_help_is_on_every_page_a_child_can_reach(app, client, monkeypatch):
    review, path = _child(age=13)
    landing = client.get(path)
    _has_help(landing.get_data(as_text=True), iro_phone=True)
    _start(client, path)
    for page in ("/booklet", "/booklet/worries", "/booklet/mine", "/my-iro", "/my-iro/message"):
        response = client.get(page)
        assert response.status_code == 200, page
        _has_help(response.get_data(as_text=True), iro_phone=True)

    # A dead link's page, the short-code page's dead end, and the lock.
    _has_help(client.get("/l/not-a-real-token").get_data(as_text=True))
    later = utcnow() + timedelta(minutes=30)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    locked = client.get("/booklet")
    assert locked.status_code == 401
    _has_help(locked.get_data(as_text=True))


def test_help_is_on_the_your_review_has_happened_page(app, client):
    review, path = _child(age=13)
    review.status = "held"
    review.held_at = utcnow()
    db.session.commit()
    _has_help(client.get(path).get_data(as_text=True), iro_phone=True)


def test_without_an_iro_phone_the_service_number_is_given(app, client):
    review, path = _child(age=13)
    review.iro.phone = ""
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    _has_help(page)
    assert 'href="tel:01000000000"' in page  # the authority's contact phone from the factory
    assert f.authority().contact_phone == "0100 000 0000"
