"""A staff form left open past its security token's hour still saves what was typed; a forged one never."""

from __future__ import annotations

import time

import pytest

from portal.extensions import db
from portal.reviews.models import Child
from portal.safeguarding.models import UrgentConcern
from tests import factories as f


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_TIME_LIMIT": 1}


def _iro_with_concern(client):
    iro = f.staff("iro")
    review = f.review(f.child(iro, preferred_name="Leo"))
    concern = f.concern(review, "he hit me")
    db.session.commit()
    f.sign_in(client, iro)
    return iro, review, concern


def test_an_acknowledgement_typed_past_the_token_hour_is_saved(app, client):
    _iro, review, concern = _iro_with_concern(client)
    token = f.csrf_token(client, f"/reviews/{review.id}/booklet")
    time.sleep(1.5)
    response = client.post(f"/urgent/{concern.id}/acknowledge",
                           data={"csrf_token": token, f"ack{concern.id}-note": "Rang Leo and his social worker"})
    assert response.status_code == 303
    assert db.session.get(UrgentConcern, concern.id).acknowledgement_note == "Rang Leo and his social worker"


def test_a_new_child_typed_past_the_token_hour_is_saved(app, client):
    iro = f.staff("iro")
    db.session.commit()
    f.sign_in(client, iro)
    token = f.csrf_token(client, "/children/new")
    time.sleep(1.5)
    response = client.post("/children/new", data={
        "csrf_token": token, "preferred_name": "Maya", "date_of_birth": ["3", "4", "2014"],
        "came_into_care": ["1", "2", "2024"], "preferred_language": "en"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert db.session.scalar(db.select(Child).filter_by(preferred_name="Maya")) is not None


def test_a_forged_or_foreign_token_is_still_refused(app, client):
    _iro, review, concern = _iro_with_concern(client)
    other, other_iro = app.test_client(), f.staff("iro")
    db.session.commit()
    f.sign_in(other, other_iro)
    foreign = f.csrf_token(other, "/children/new")
    for token in ("forged", foreign):
        response = client.post(f"/urgent/{concern.id}/acknowledge",
                               data={"csrf_token": token, f"ack{concern.id}-note": "x"})
        assert response.status_code == 400
    assert db.session.get(UrgentConcern, concern.id).acknowledged_at is None
