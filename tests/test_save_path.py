"""What one autosave costs, as rules (the speed itself is `make bench`'s): the statements it sends, the
session it does not write, and the settings a process trusts for a few seconds without going stale."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from portal import settings
from portal.extensions import db
from portal.settings import Authority, authority_settings
from portal.timeutil import utcnow
from tests import factories as f
from tests.test_booklet_child import _answers, _child, _load, _start


@contextmanager
def statements():
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        words = " ".join(statement.split()).upper()
        seen.append(words)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def _kinds(seen: list[str]) -> list[str]:
    kinds = []
    for words in seen:
        verb = words.split(" ", 1)[0]
        for table in ("WEB_SESSION", "PRIVATE_LINK", "BOOKLET_ANSWER", "AUTHORITY", "BOOKLET", "REVIEW"):
            if f" {table} " in f" {words.replace(',', ' ')} " or f"{table}." in words:
                kinds.append(f"{verb} {table.lower()}")
                break
        else:
            kinds.append(verb)
    return kinds


def test_an_autosave_of_a_changed_answer_is_one_read_and_one_write(client):
    f.authority()
    db.session.commit()
    review, path = _child()
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    headers = {"X-CSRFToken": hidden["csrf_token"]}
    first = client.post("/booklet/answer", json={"question_key": "good_news", "value": "A bike", "version": 0},
                        headers=headers)
    assert first.get_json()["version"] == 1
    with statements() as seen:
        second = client.post("/booklet/answer", json={"question_key": "good_news", "value": "A red bike",
                                                      "version": 1}, headers=headers)
    assert second.get_json() == {"status": "saved", "version": 2, "fingerprint": second.get_json()["fingerprint"],
                                 "help_now": False}
    # The session read, then the link with its review and booklet (one query), then the answer's
    # version check and write (one statement); no session written, no settings read, no look first.
    assert _kinds(seen) == ["SELECT web_session", "SELECT private_link", "UPDATE booklet_answer"], seen
    assert _answers(review)["good_news"].value_text == "A red bike"


def test_the_one_statement_save_still_refuses_a_stale_version_and_saves_nothing_twice(client):
    review, path = _child()
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    headers = {"X-CSRFToken": hidden["csrf_token"]}
    for value in ("One", "Two"):
        client.post("/booklet/answer", json={"question_key": "good_news", "value": value,
                                             "version": _answers(review).get("good_news").version
                                             if "good_news" in _answers(review) else 0}, headers=headers)
    same = client.post("/booklet/answer", json={"question_key": "good_news", "value": "Two", "version": 2},
                       headers=headers)
    # Saying again what is stored changes nothing: the version stays.
    assert same.get_json()["status"] == "saved" and same.get_json()["version"] == 2
    stale = client.post("/booklet/answer", json={"question_key": "good_news", "value": "Old", "version": 1},
                        headers=headers)
    assert stale.status_code == 409 and stale.get_json()["theirs"]["value"] == "Two"
    assert (_answers(review)["good_news"].value_text, _answers(review)["good_news"].version) == ("Two", 2)


def test_the_idle_clock_is_written_to_the_session_at_most_every_few_seconds(client, monkeypatch):
    review, path = _child()
    _start(client, path)
    assert client.get("/booklet/good_news").status_code == 200  # its form's token goes into the session
    with statements() as seen:
        assert client.get("/booklet/good_news").status_code == 200
    assert not any(kind.startswith(("INSERT web_session", "UPDATE web_session")) for kind in _kinds(seen))
    later = utcnow() + timedelta(minutes=5)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    with statements() as seen:
        assert client.get("/booklet/good_news").status_code == 200
    assert "INSERT web_session" in _kinds(seen)
    # Nine minutes after that (fourteen after Start) the page is still open: the idle clock moved on.
    much_later = later + timedelta(minutes=9)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: much_later)
    assert client.get("/booklet/good_news").status_code == 200


def test_settings_are_read_once_and_a_change_in_this_process_is_seen_at_once(app, client):
    f.authority(booklet_idle_minutes=10)
    db.session.commit()
    db.session.remove()
    with statements() as seen:
        assert authority_settings().booklet_idle_minutes == 10
        db.session.remove()
        assert authority_settings().booklet_idle_minutes == 10
    assert _kinds(seen).count("SELECT authority") == 1
    # A change through the ORM anywhere in this process (here the administrator's settings page).
    changed = authority_settings()
    changed.booklet_idle_minutes = 20
    db.session.commit()
    db.session.remove()
    assert authority_settings().booklet_idle_minutes == 20


def test_a_change_not_yet_flushed_is_not_undone_by_reading_the_settings_again(app):
    f.authority(advocacy_phone="0800 000 0001")
    db.session.commit()
    authority_settings()
    db.session.remove()
    mine = authority_settings()
    mine.advocacy_phone = "0800 000 0002"
    assert authority_settings() is mine and authority_settings().advocacy_phone == "0800 000 0002"
    db.session.commit()
    assert db.session.scalar(db.select(Authority.advocacy_phone)) == "0800 000 0002"


def test_another_workers_change_is_seen_within_the_trusted_seconds(app, monkeypatch):
    f.authority(booklet_idle_minutes=10)
    db.session.commit()
    assert authority_settings().booklet_idle_minutes == 10
    db.session.remove()
    # Another worker changes the row behind this process's back (no ORM event here).
    with db.engine.begin() as connection:
        connection.execute(db.update(Authority).values(booklet_idle_minutes=25))
    assert authority_settings().booklet_idle_minutes == 10  # trusted for a few seconds
    db.session.remove()
    clock = settings.monotonic() + settings.SETTINGS_SECONDS + 1
    monkeypatch.setattr(settings, "monotonic", lambda: clock)
    assert authority_settings().booklet_idle_minutes == 25
