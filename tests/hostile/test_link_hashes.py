"""Links and short codes are stored as keyed hashes: a copied database alone cannot recover live codes,
and rotating SECRET_KEY never breaks a link already sent."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from portal.extensions import db
from portal.links.models import PrivateLink
from portal.links.services import find_usable_link, find_usable_short_code, issue_link
from portal.timeutil import utcnow
from tests import factories as f


def _issue(review):
    return issue_link(purpose="booklet", audience="child", review_id=review.id, with_short_code=True,
                      expires_at=utcnow() + timedelta(days=30))


def test_the_stored_hashes_need_the_key(app):
    review = f.review(f.child(f.staff("iro")))
    link, token, code = _issue(review)
    db.session.commit()
    assert link.token_sha256 != hashlib.sha256(token.encode()).hexdigest()
    assert link.short_code_sha256 != hashlib.sha256(code.encode()).hexdigest()
    assert find_usable_link(token).id == link.id and find_usable_short_code(code).id == link.id
    # Another installation's key (a stolen database without the environment) finds nothing.
    app.config["LINK_HASH_KEY"] = "someone-elses-key-" + "x" * 30
    assert find_usable_link(token) is None and find_usable_short_code(code) is None


def test_rotating_secret_key_keeps_links_working(app, client):
    review = f.review(f.child(f.staff("iro")))
    _link, token, _code = _issue(review)
    db.session.commit()
    app.config["SECRET_KEY"] = "a-brand-new-secret-key-" + "y" * 30
    assert client.get(f"/l/{token}").status_code == 200


def test_rotating_the_link_key_keeps_old_links_through_the_old_key_list(app):
    review = f.review(f.child(f.staff("iro")))
    link, token, _code = _issue(review)
    db.session.commit()
    old = app.config["LINK_HASH_KEY"]
    app.config["LINK_HASH_KEY"], app.config["LINK_HASH_OLD_KEYS"] = "the-next-link-key-" + "z" * 30, (old,)
    found = find_usable_link(token)
    assert found is not None and found.id == link.id
    # Found under the old key, it is rehashed under the new one.
    db.session.commit()
    app.config["LINK_HASH_OLD_KEYS"] = ()
    assert find_usable_link(token).id == link.id


def test_links_stored_before_keyed_hashes_still_work_and_are_rehashed(app):
    review = f.review(f.child(f.staff("iro")))
    link, token, code = _issue(review)
    link.token_sha256 = hashlib.sha256(token.encode()).hexdigest()
    link.short_code_sha256 = hashlib.sha256(code.encode()).hexdigest()
    db.session.commit()
    assert find_usable_link(token).id == link.id
    assert find_usable_short_code(code).id == link.id
    db.session.commit()
    stored = db.session.get(PrivateLink, link.id)
    assert stored.token_sha256 != hashlib.sha256(token.encode()).hexdigest()


def test_rotating_secret_key_ends_old_sessions_cleanly(app, client):
    user = f.staff("iro")
    db.session.commit()
    assert f.sign_in(client, user).status_code == 303
    assert client.get("/children").status_code == 200
    app.config["SECRET_KEY"] = "a-brand-new-secret-key-" + "q" * 30
    app.secret_key = app.config["SECRET_KEY"]
    response = client.get("/children")
    assert response.status_code in (302, 401)
    # And signing in again works at once under the new key.
    assert f.sign_in(client, user).status_code == 303
    assert client.get("/children").status_code == 200
