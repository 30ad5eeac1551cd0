"""Private links: a GET changes nothing; Start opens the booklet; dead links all look the same."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.audit.models import AuditEvent
from portal.booklet.models import Booklet
from portal.booklet.services import issue_booklet_link
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.links.services import revoke
from portal.timeutil import utcnow
from tests import factories as f


def _path(url: str) -> str:
    return url.removeprefix("http://localhost")


def _child_with_link(age=10, **review_fields):
    iro = f.staff("iro", name="Priya Shah")
    review = f.review(f.child(iro, age=age), **review_fields)
    url, short = issue_booklet_link(review)
    db.session.commit()
    return review, _path(url), _path(short)


def _start(client, path):
    token = f.csrf_token(client, path)
    return client.post(path, data={"csrf_token": token})


def _without_nonce(response) -> str:
    """The page without what differs on every request (its nonce) or names its own address."""
    return re.sub(r'nonce="[^"]+"|next=[^"]+', "", response.get_data(as_text=True))


def _link(review) -> PrivateLink:
    return db.session.scalar(db.select(PrivateLink).filter_by(review_id=review.id, revoked_at=None))


def test_scanner_get_changes_nothing(client):
    review, path, _ = _child_with_link()
    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<bdi>Priya Shah</bdi> is your IRO, the person who runs your meeting." in text
    assert "Start" in text
    assert _link(review).first_used_at is None
    assert db.session.scalar(db.select(Booklet).filter_by(review_id=review.id)) is None
    # No child session: the booklet itself is still closed to this browser.
    assert client.get("/booklet").status_code == 401


def test_start_opens_the_booklet_at_an_address_without_the_token(client):
    review, path, _ = _child_with_link()
    token = path.rsplit("/", 1)[1]
    response = _start(client, path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/booklet"
    assert token not in response.headers["Location"]
    link = _link(review)
    assert link.first_used_at is not None
    booklet = db.session.scalar(db.select(Booklet).filter_by(review_id=review.id))
    assert booklet.opened_at is not None
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="booklet_opened", link_id=link.id))
    contents = client.get("/booklet")
    assert contents.status_code == 200
    assert "About me" in contents.get_data(as_text=True)
    section = client.get("/booklet/about_me")
    assert token not in section.get_data(as_text=True)


def test_unknown_revoked_and_expired_links_show_the_same_page_with_the_phone(client):
    review, path, _ = _child_with_link()
    unknown = client.get("/l/not-a-real-token")
    assert unknown.status_code == 404
    assert "This link does not work" in unknown.get_data(as_text=True)
    assert "0100 000 0000" in unknown.get_data(as_text=True)

    link = _link(review)
    revoke(link)
    db.session.commit()
    revoked = client.get(path)
    assert revoked.status_code == 404
    assert _without_nonce(revoked) == _without_nonce(unknown)

    other_review, other_path, _ = _child_with_link()
    _link(other_review).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get(other_path)
    assert expired.status_code == 404
    assert "This link does not work" in expired.get_data(as_text=True)
    assert _without_nonce(expired) == _without_nonce(unknown)


def test_post_to_a_dead_link_does_nothing(client):
    review, path, _ = _child_with_link()
    token = f.csrf_token(client, path)
    revoke(_link(review))
    db.session.commit()
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 404
    assert client.get("/booklet").status_code == 401


def test_short_code_lowercase_with_dashes_and_spaces(client):
    review, _, short = _child_with_link()
    code = short.rsplit("/", 1)[1]
    messy = "-".join([code[:4].lower(), code[4:8].lower(), code[8:]])
    page = client.get(f"/s/{messy}")
    assert page.status_code == 200
    assert "<bdi>Priya Shah</bdi> is your IRO, the person who runs your meeting." in page.get_data(as_text=True)
    assert _link(review).first_used_at is None
    response = _start(client, f"/s/{messy}")
    assert response.status_code == 303 and response.headers["Location"] == "/booklet"
    assert _link(review).first_used_at is not None


def test_typing_the_code_on_the_short_address(client):
    _child_with_link()
    review, _, short = _child_with_link()
    code = short.rsplit("/", 1)[1]
    form = client.get("/s")
    assert form.status_code == 200
    assert "Type the code from your letter" in form.get_data(as_text=True)
    typed = client.get("/s", query_string={"code": f" {code[:5].lower()} {code[5:]} "})
    assert typed.status_code == 303
    assert typed.headers["Location"] == f"/s/{code}"
    wrong = client.get("/s", query_string={"code": "AAAA-BBBB-CC"})
    assert wrong.status_code == 200
    assert "We could not find that code" in wrong.get_data(as_text=True)


def test_after_the_review_the_link_says_it_has_happened(client):
    review, path, _ = _child_with_link()
    review.status = "held"
    review.held_at = review.meeting_at
    db.session.commit()
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Your review has happened" in text
    assert "will write to you" in text
    assert _link(review).first_used_at is None
    assert "Start" not in text
    assert client.get("/booklet").status_code == 401


def test_after_the_review_the_child_can_still_reach_their_iro(client):
    review, path, _ = _child_with_link()
    review.status = "held"
    review.held_at = review.meeting_at
    db.session.commit()
    assert 'method="post"' in client.get(path).get_data(as_text=True)
    response = client.post(path)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/my-iro")
    assert client.get("/my-iro").status_code == 200
    over = client.get("/booklet")
    assert "Your review has happened" in over.get_data(as_text=True)
    assert "/my-iro" in over.get_data(as_text=True)


def test_other_purposes_are_not_found_and_set_password_goes_to_staff(client):
    from portal.links.services import issue_link

    review, _, _ = _child_with_link()
    _, feedback_token, _ = issue_link(purpose="feedback", audience="parent", review_id=review.id,
                                      expires_at=utcnow() + timedelta(days=10))
    user = f.staff("iro")
    _, password_token, _ = issue_link(purpose="set-password", audience="staff", staff_user_id=user.id,
                                      expires_at=utcnow() + timedelta(days=1))
    db.session.commit()
    assert client.get(f"/l/{feedback_token}").status_code == 404
    page = client.get(f"/l/{password_token}")
    assert page.status_code == 200
    assert "Set your password" in page.get_data(as_text=True)
