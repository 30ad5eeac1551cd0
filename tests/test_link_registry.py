"""Links know no feature: each area registers its purposes; revoking touches one recipient's links only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Blueprint, redirect, render_template_string, request
from flask_babel import get_locale
from jinja2 import DictLoader

from portal.booklet.services import issue_booklet_link
from portal.extensions import db
from portal.links.forms import StartForm
from portal.links.models import PrivateLink
from portal.links.registry import register_purpose, registered_purposes, start_url
from portal.links.services import find_usable_link, issue_link, revoke_links
from portal.links.session import link_required, start_link_session
from portal.timeutil import utcnow
from tests import factories as f

LANDING = """<p>The test form's own landing, for a {{ link.audience }}</p>
<form method="post">{{ form.csrf_token }}<button>Start</button></form>"""


def _without_nonce(response) -> str:
    """The page without what differs on every request (its nonce) or names its own address."""
    return re.sub(r'nonce="[^"]+"|next=[^"]+', "", response.get_data(as_text=True))


def _review(language: str = "en"):
    return f.review(f.child(f.staff("iro"), preferred_language=language))


def _link(review, audience: str, recipient_ref: str | None = None, purpose: str = "feedback",
          **kwargs) -> tuple[PrivateLink, str]:
    link, token, _ = issue_link(purpose=purpose, audience=audience, recipient_ref=recipient_ref, review_id=review.id,
                                expires_at=utcnow() + timedelta(days=30), **kwargs)
    return link, token


def _live(token: str) -> bool:
    return find_usable_link(token) is not None


def _test_form_area() -> Blueprint:
    """An area of a test app with a purpose of its own: a parent's pages lock after 2 idle minutes, others' after 5."""
    bp = Blueprint("test_form", __name__)

    def landing(link: PrivateLink):
        form = StartForm()
        if request.method == "POST" and form.validate_on_submit():
            start_link_session(link)
            db.session.commit()
            return redirect(start_url(link), 303)
        return render_template_string(LANDING, link=link, form=form)

    @bp.get("/test-form")
    @link_required("test-form")
    def page(link: PrivateLink):
        return f"The test form for {link.recipient_ref}, in {get_locale()}"

    register_purpose(bp, "test-form", landing=landing, start_endpoint="test_form.page",
                     idle_minutes=lambda link: 2 if link.audience == "parent" else 5,
                     lock_template="test_form/locked.html")
    return bp


@pytest.fixture
def test_form_app(app):
    app.jinja_loader.loaders.insert(0, DictLoader({"test_form/locked.html": "The test form is locked: {{ timed_out }}"}))
    app.register_blueprint(_test_form_area())
    return app


def _start(client, token: str):
    path = f"/l/{token}"
    return client.post(path, data={"csrf_token": f.csrf_token(client, path)})


# --- The registry ------------------------------------------------------------------------------

def test_each_area_registers_its_own_purposes(app):
    purposes = registered_purposes()
    assert {"booklet", "set-password"} <= set(purposes)
    assert purposes["booklet"].start_endpoint == "booklet.contents"
    assert purposes["set-password"].start_endpoint is None


def test_an_unknown_purpose_is_the_not_found_page(client):
    review = _review()
    _, token = _link(review, "parent", "p1", purpose="no-such-purpose")
    _, code = issue_link(purpose="no-such-purpose", audience="parent", review_id=review.id,
                         expires_at=utcnow() + timedelta(days=30), with_short_code=True)[1:]
    db.session.commit()
    unknown_token = client.get("/l/not-a-real-token")
    for response in (client.get(f"/l/{token}"), client.get(f"/s/{code}")):
        assert response.status_code == 404
        assert "This link does not work" in response.get_data(as_text=True)
        assert _without_nonce(response) == _without_nonce(unknown_token)


def test_a_purpose_registered_in_a_test_app_gets_its_own_landing(test_form_app):
    client = test_form_app.test_client()
    review = _review(language="cy")
    _, token = _link(review, "parent", "p1", purpose="test-form")
    db.session.commit()
    landing = client.get(f"/l/{token}")
    assert landing.status_code == 200
    assert "The test form's own landing, for a parent" in landing.get_data(as_text=True)
    started = _start(client, token)
    assert started.status_code == 303 and started.headers["Location"] == "/test-form"
    page = client.get("/test-form")
    # A parent's session keeps their own language, not the child's Welsh.
    assert page.get_data(as_text=True) == "The test form for p1, in en"


def test_a_purpose_has_its_own_idle_time_and_lock_page(test_form_app, monkeypatch):
    review = _review()
    parent, professional, child = (test_form_app.test_client() for _ in range(3))
    _, parent_token = _link(review, "parent", "p1", purpose="test-form")
    _, professional_token = _link(review, "professional", "sw1", purpose="test-form")
    booklet_url, _ = issue_booklet_link(review)
    db.session.commit()
    for client, token in ((parent, parent_token), (professional, professional_token),
                          (child, booklet_url.rsplit("/l/", 1)[1])):
        assert _start(client, token).status_code == 303
    # Three minutes later: past the parent's 2 minutes, within the professional's 5 and the booklet's 10.
    later = utcnow() + timedelta(minutes=3)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    locked = parent.get("/test-form")
    assert locked.status_code == 401
    assert locked.get_data(as_text=True) == "The test form is locked: True"
    assert professional.get("/test-form").status_code == 200
    assert child.get("/booklet").status_code == 200
    # A child's booklet session is no way into another purpose's pages, and the lock says so kindly.
    wrong = child.get("/test-form")
    assert wrong.status_code == 401 and wrong.get_data(as_text=True) == "The test form is locked: False"
    assert child.get("/booklet").status_code == 200


def test_two_areas_cannot_claim_one_purpose(app):
    other = Blueprint("other_area", __name__)
    register_purpose(other, "booklet", landing=lambda link: "not the booklet")
    with pytest.raises(ValueError, match="registered twice"):
        app.register_blueprint(other)


# --- Revoking by review, purpose, audience and recipient ---------------------------------------

def test_a_new_booklet_link_leaves_parents_and_professionals_links_working(client):
    review = _review()
    parent_link, parent = _link(review, "parent", "p1")
    professional_link, professional = _link(review, "professional", "sw1")
    first_booklet, _ = issue_booklet_link(review)
    second_booklet, _ = issue_booklet_link(review)
    db.session.commit()
    assert not _live(first_booklet.rsplit("/l/", 1)[1])
    assert _live(second_booklet.rsplit("/l/", 1)[1])
    assert _live(parent) and _live(professional)
    assert parent_link.revoked_at is None and professional_link.revoked_at is None
    # Revoking the child's booklet links outright still leaves theirs.
    assert revoke_links(review.id, "booklet", "child") == 1
    db.session.commit()
    assert not _live(second_booklet.rsplit("/l/", 1)[1])
    assert _live(parent) and _live(professional)
    assert client.get(second_booklet.removeprefix("http://localhost")).status_code == 404


def test_a_new_link_for_parent_p1_revokes_p1s_older_link_only(client):
    review, other_review = _review(), _review()
    _, p1_old = _link(review, "parent", "p1")
    _, p2 = _link(review, "parent", "p2")
    _, professional = _link(review, "professional", "p1")
    _, p1_letter = _link(review, "parent", "p1", purpose="letter")
    _, p1_elsewhere = _link(other_review, "parent", "p1")
    booklet_url, _ = issue_booklet_link(review)
    _, p1_new = _link(review, "parent", "p1", replace=True)
    db.session.commit()
    assert not _live(p1_old)
    assert all(_live(token) for token in (p1_new, p2, professional, p1_letter, p1_elsewhere,
                                          booklet_url.rsplit("/l/", 1)[1]))


def test_revoking_without_a_recipient_never_means_every_recipient(app):
    review = _review()
    _, p1 = _link(review, "parent", "p1")
    _, unaddressed = _link(review, "parent")
    assert revoke_links(review.id, "feedback", "parent") == 1
    db.session.commit()
    assert _live(p1) and not _live(unaddressed)


def test_a_recipient_ref_is_an_opaque_id_of_at_most_64_characters(app):
    review = _review()
    with pytest.raises(ValueError):
        _link(review, "parent", "x" * 65)
    link, _ = _link(review, "parent", "x" * 64)
    db.session.commit()
    assert db.session.get(PrivateLink, link.id).recipient_ref == "x" * 64
