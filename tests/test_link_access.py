"""Every page a private link opens, walked by everyone who should not see it: no link, every staff role,
another child's link, and a parent's or professional's link (the access walk for link holders)."""

from __future__ import annotations

import pytest

from portal.booklet.models import VoiceNote
from portal.extensions import db
from portal.links.session import SESSION_KEY
from portal.timeutil import utcnow
from tests import factories as f
from tests.test_voice import WEBM

LINK_BLUEPRINTS = {"booklet", "my_iro", "messages", "voice"}
STAFF_ONLY = {"voice.play_staff"}


def link_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every page behind a link's Start, with its parameters filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in LINK_BLUEPRINTS or rule.endpoint in STAFF_ONLY:
            continue
        path = rule.rule.replace("<section_key>", "worries").replace("<question_key>", "worries") \
            .replace("<int:note_id>", "{note}")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, path))
    return sorted(routes)


def _as_holder(client, link) -> None:
    """A session holding this link, as Start leaves it."""
    with client.session_transaction() as session:
        session[SESSION_KEY] = {"link_id": link.id, "purpose": link.purpose, "audience": link.audience,
                                "last_seen": utcnow().timestamp()}


def _world():
    iro = f.staff("iro")
    mine, theirs = f.review(f.child(iro, age=12)), f.review(f.child(f.staff("iro"), age=13))
    booklet = f.booklet(theirs)
    note = VoiceNote(booklet_id=booklet.id, question_key="worries", mime_type="audio/webm",
                     size_bytes=len(WEBM), data=WEBM)
    db.session.add(note)
    f.answer(booklet, "worries", "their private words")
    db.session.commit()
    return mine, theirs, note


def _request(client, method: str, path: str, note: VoiceNote):
    path = path.format(note=note.id)
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": "x"}, headers={"X-CSRFToken": "x"})


def test_the_walk_covers_every_link_page(app):
    endpoints = {endpoint for endpoint, _m, _p in link_routes(app)}
    assert {"booklet.contents", "booklet.section", "messages.write", "my_iro.page", "voice.play_own"} <= endpoints


@pytest.mark.parametrize("who", ["nobody", "iro", "manager", "admin", "parent", "professional"])
def test_nobody_without_the_childs_own_link_reaches_a_childs_page(app, who):
    mine, theirs, note = _world()
    client = app.test_client()
    if who in {"iro", "manager", "admin"}:
        user = f.staff(who)
        db.session.commit()
        f.sign_in(client, user)
    elif who in {"parent", "professional"}:
        link, _token = f.link(theirs, purpose="feedback", audience=who, recipient_ref="r1")
        db.session.commit()
        _as_holder(client, link)
    for endpoint, method, path in link_routes(app):
        response = _request(client, method, path, note)
        text = response.get_data(as_text=True)
        assert response.status_code in (400, 401, 404), (who, endpoint, method, response.status_code)
        assert "their private words" not in text and WEBM not in response.data, (who, endpoint)


def test_another_childs_link_never_reaches_this_childs_words_or_voice(app):
    mine, theirs, note = _world()
    client = app.test_client()
    link, _token = f.link(mine)
    db.session.commit()
    _as_holder(client, link)
    for endpoint, method, path in link_routes(app):
        response = _request(client, method, path, note)
        assert "their private words" not in response.get_data(as_text=True), endpoint
        assert WEBM not in response.data, endpoint
    assert client.get(f"/booklet/voice/{note.id}").status_code == 404
    assert db.session.get(VoiceNote, note.id) is not None
