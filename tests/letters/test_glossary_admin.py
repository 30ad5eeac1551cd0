"""The glossary of care words: managers and administrators list, add, change and switch off entries;
IROs may not; a switched-off word stops being flagged."""

from __future__ import annotations

import pytest

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.letters import plain_words
from portal.letters.models import GlossaryEntry
from tests import factories as f


def _signed_in(client, role="manager"):
    user = f.staff(role)
    db.session.commit()
    assert f.sign_in(client, user).status_code == 303
    return user


def _entry(term, language="en"):
    return db.session.scalar(db.select(GlossaryEntry).filter_by(term=term, language=language))


def _events():
    return db.session.scalars(db.select(AuditEvent).filter_by(action="glossary_changed")).all()


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_the_glossary_lists_built_in_words_per_language(client, role):
    _signed_in(client, role)
    page = client.get("/letters/glossary")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Glossary of care words" in html and "English" in html and "Welsh" in html
    contact = _entry("contact")
    assert contact is not None and contact.builtin
    assert f'/letters/glossary/{contact.id}"' in html and "Built in" in html


def test_an_iro_may_not_open_or_post_the_glossary(client):
    _signed_in(client, "iro")
    plain_words.sync_builtin_glossary()
    db.session.commit()
    entry = _entry("contact")
    assert client.get("/letters/glossary").status_code == 403
    assert client.get("/letters/glossary/new").status_code == 403
    token = f.session_csrf_token(client)
    assert client.post("/letters/glossary/new", data={"csrf_token": token, "term": "LADO",
                                                      "language": "en"}).status_code == 403
    assert client.post(f"/letters/glossary/{entry.id}", data={"csrf_token": token, "term": "x",
                                                              "suggestion": "y"}).status_code == 403
    assert _entry("LADO") is None and _entry("contact").suggestion != "y"


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get("/letters/glossary").status_code in (302, 303)


def test_a_manager_adds_a_word_and_it_is_flagged(client):
    _signed_in(client)
    token = f.csrf_token(client, "/letters/glossary/new")
    response = client.post("/letters/glossary/new", data={
        "csrf_token": token, "term": "  LADO ", "language": "en", "suggestion": "the person who checks adults "
        "who work with children", "note": "Local authority designated officer", "active": "y"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/letters/glossary")
    entry = _entry("LADO")
    assert entry is not None and entry.active and not entry.builtin
    assert entry.note == "Local authority designated officer"
    assert [e.record_id for e in _events()] == [entry.id]
    advice = plain_words.check("The LADO will call.", age=10, entries=plain_words.active_glossary("en"))
    assert [j.term for j in advice.jargon] == ["LADO"]
    assert "LADO" in client.get("/letters/glossary").get_data(as_text=True)


def test_a_welsh_word_goes_in_the_welsh_table(client):
    _signed_in(client)
    token = f.csrf_token(client, "/letters/glossary/new")
    response = client.post("/letters/glossary/new", data={"csrf_token": token, "term": "gofal maeth", "language": "cy",
                                                          "suggestion": "byw gyda theulu arall", "active": "y"})
    assert response.status_code == 303
    assert _entry("gofal maeth", "cy") is not None
    html = client.get("/letters/glossary").get_data(as_text=True)
    assert html.rindex("gofal maeth") > html.index(">Welsh<") > html.index(">English<")


def test_a_duplicate_is_refused_whatever_its_case(client):
    _signed_in(client)
    plain_words.sync_builtin_glossary()
    db.session.commit()
    token = f.csrf_token(client, "/letters/glossary/new")
    response = client.post("/letters/glossary/new", data={"csrf_token": token, "term": "CONTACT", "language": "en",
                                                          "suggestion": "seeing family"})
    assert response.status_code == 400
    assert "is in the English glossary already" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(GlossaryEntry)
                             .where(db.func.lower(GlossaryEntry.term) == "contact", GlossaryEntry.language == "en")) == 1
    assert not _events()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("term", "x" * 81, "80 characters or fewer"),
    ("term", "   ", "Enter the care word or phrase"),
    ("suggestion", "y" * 201, "200 characters or fewer"),
    ("language", "fr", "Choose a language"),
])
def test_too_long_or_missing_is_refused(client, field, value, message):
    _signed_in(client)
    data = {"term": "Respite care", "language": "en", "suggestion": "a short stay", field: value}
    data["csrf_token"] = f.csrf_token(client, "/letters/glossary/new")
    response = client.post("/letters/glossary/new", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(GlossaryEntry).filter_by(builtin=False)) == 0


def test_markup_in_a_word_is_shown_as_text(client):
    _signed_in(client)
    token = f.csrf_token(client, "/letters/glossary/new")
    client.post("/letters/glossary/new", data={"csrf_token": token, "term": "<b>x</b>", "language": "en",
                                               "suggestion": "<script>alert(1)</script>", "active": "y"})
    html = client.get("/letters/glossary").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_a_built_in_word_gets_new_plainer_words_but_keeps_its_term(client):
    _signed_in(client)
    plain_words.sync_builtin_glossary()
    db.session.commit()
    entry = _entry("contact")
    path = f"/letters/glossary/{entry.id}"
    page = client.get(path)
    assert page.status_code == 200 and "the word itself cannot change" in page.get_data(as_text=True)
    response = client.post(path, data={"csrf_token": f.csrf_token(client, path), "term": "renamed",
                                       "suggestion": "time with your family", "note": "Ask the child", "active": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    entry = db.session.get(GlossaryEntry, entry.id)
    assert (entry.term, entry.suggestion, entry.note, entry.active) == ("contact", "time with your family",
                                                                        "Ask the child", True)
    assert [e.detail for e in _events()] == ["changed: suggestion, note"]


def test_switching_a_word_off_stops_it_being_flagged(client):
    _signed_in(client)
    plain_words.sync_builtin_glossary()
    db.session.commit()
    text = "We talked about your placement."
    assert "placement" in [j.term for j in plain_words.check(text, age=9, entries=plain_words.active_glossary()).jargon]
    entry = _entry("placement")
    path = f"/letters/glossary/{entry.id}"
    # An unticked checkbox is not sent at all.
    response = client.post(path, data={"csrf_token": f.csrf_token(client, path), "suggestion": entry.suggestion,
                                       "note": entry.note})
    assert response.status_code == 303
    db.session.expire_all()
    assert not _entry("placement").active
    assert "placement" not in [j.term for j in plain_words.check(text, age=9,
                                                                  entries=plain_words.active_glossary()).jargon]
    html = client.get("/letters/glossary").get_data(as_text=True)
    assert "Off" in html
    # And on again.
    client.post(path, data={"csrf_token": f.csrf_token(client, path), "suggestion": entry.suggestion, "active": "y"})
    db.session.expire_all()
    assert _entry("placement").active
    assert len(_events()) == 2


def test_an_added_word_can_be_renamed_but_not_onto_another(client):
    _signed_in(client)
    plain_words.sync_builtin_glossary()
    added = GlossaryEntry(term="TAF", language="en", suggestion="a child in care", builtin=False)
    db.session.add(added)
    db.session.commit()
    path = f"/letters/glossary/{added.id}"
    refused = client.post(path, data={"csrf_token": f.csrf_token(client, path), "term": "Placement",
                                      "suggestion": "x", "active": "y"})
    assert refused.status_code == 400 and "is in the English glossary already" in refused.get_data(as_text=True)
    too_long = client.post(path, data={"csrf_token": f.csrf_token(client, path), "term": "TAF",
                                       "suggestion": "z" * 201, "active": "y"})
    assert too_long.status_code == 400
    renamed = client.post(path, data={"csrf_token": f.csrf_token(client, path), "term": "Team around the family",
                                      "suggestion": "a child in care", "active": "y"})
    assert renamed.status_code == 303
    db.session.expire_all()
    assert db.session.get(GlossaryEntry, added.id).term == "Team around the family"


def test_an_unknown_entry_is_not_found(client):
    _signed_in(client)
    assert client.get("/letters/glossary/999999").status_code == 404


def test_the_admin_home_links_to_the_glossary(client):
    _signed_in(client, "admin")
    assert "/letters/glossary" in client.get("/admin").get_data(as_text=True)


def test_a_built_in_word_not_yet_in_the_table_is_still_a_duplicate(client):
    _signed_in(client)
    token = f.csrf_token(client, "/letters/glossary/new")
    response = client.post("/letters/glossary/new", data={"csrf_token": token, "term": "Lleoliad", "language": "cy",
                                                          "suggestion": "cartref"})
    assert response.status_code == 400 and "is in the Welsh glossary already" in response.get_data(as_text=True)
