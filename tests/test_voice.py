"""Voice notes: what counts as a recording, and the child and IRO using them through the real pages."""

from __future__ import annotations

import re

import pytest

from portal.audit.models import AuditEvent
from portal.booklet import voice_rules
from portal.booklet.models import VoiceNote
from portal.booklet.services import booklet_for_review, issue_booklet_link
from portal.extensions import db
from tests import factories

WEBM = b"\x1a\x45\xdf\xa3" + b"\x9f\x42\x86\x81\x01" + b"\x00" * 200
MP4 = b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 200
OGG = b"OggS" + b"\x00" * 200
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 200
MP3_ID3 = b"ID3\x04\x00" + b"\x00" * 200
MP3_SYNC = b"\xff\xfb\x90\x64" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


# --- Helpers ----------------------------------------------------------------------------------

def start_booklet(client, review) -> None:
    """Open the child's link and press Start, as a child does, so the session holds the link."""
    url, _short = issue_booklet_link(review)
    db.session.commit()
    path = "/l/" + url.rsplit("/l/", 1)[1]
    landing = client.get(path)
    if landing.status_code != 200:
        pytest.fail(f"GET {path} gave {landing.status_code}: the /l/<token> landing page and its Start "
                    "button (portal/booklet/landing.py, templates/booklet/landing.html) are not working yet, so a child "
                    "cannot start a session")
    assert 'method="post"' in landing.get_data(as_text=True), "the landing page has no Start form"
    started = client.post(path)
    assert started.status_code in (200, 302, 303), started.status_code
    assert client.get("/my-iro").status_code == 200, "Start did not open a child session"


def child_with_review(iro, *, age: int = 10, **fields):
    the_child = factories.child(iro, age=age, **fields)
    return factories.review(the_child)


def token_for(client) -> str:
    """A CSRF token for this client's session (from a page with a form)."""
    return factories.csrf_token(client, "/my-iro/message")


def multipart(fields: dict[str, str], data: bytes, filename: str, content_type: str) -> tuple[bytes, str]:
    """A multipart body built in memory (Werkzeug's builder spools big bodies to a file it never closes)."""
    boundary = "----voice-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; filename="{filename}"\r\n'
                 f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(client, key: str, data: bytes, filename: str = "note.webm", content_type: str = "audio/webm",
           json: bool = False):
    """Send a recording as the recorder (JSON, token in a header) or the plain form (token in the form) does."""
    token = token_for(client)
    fields = {"next": "/my-iro"}
    headers = {}
    if json:
        headers = {"Accept": "application/json", "X-CSRFToken": token}
    else:
        fields["csrf_token"] = token
    body, body_type = multipart(fields, data, filename, content_type)
    return client.post(f"/booklet/voice/{key}", data=body, headers=headers, content_type=body_type)


# --- What counts as a recording ---------------------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    (WEBM, "audio/webm"), (MP4, "audio/mp4"), (OGG, "audio/ogg"), (WAV, "audio/wav"),
    (MP3_ID3, "audio/mpeg"), (MP3_SYNC, "audio/mpeg"),
])
def test_recordings_are_known_by_their_bytes(data, expected):
    assert voice_rules.sniff_audio_type(data) == expected
    assert voice_rules.check_recording(data) == expected


@pytest.mark.parametrize("data", [PNG, b"<html><script>alert(1)</script>", b"RIFF\x00\x00\x00\x00AVI LIST", b"\xff\xd8\xff\xe0JFIF",
                                  b"", b"\x1a"])
def test_other_bytes_are_not_recordings(data):
    assert voice_rules.sniff_audio_type(data) is None
    with pytest.raises(voice_rules.VoiceNoteError):
        voice_rules.check_recording(data)


def test_a_png_named_webm_is_refused_with_a_plain_message():
    with pytest.raises(voice_rules.VoiceNoteError, match="does not look like a sound recording"):
        voice_rules.check_recording(PNG)


def test_two_megabytes_is_the_most():
    assert voice_rules.check_recording(WEBM[:4] + b"\x00" * (2 * 1024 * 1024 - 4)) == "audio/webm"
    with pytest.raises(voice_rules.VoiceNoteError, match="too big"):
        voice_rules.check_recording(WEBM[:4] + b"\x00" * (2 * 1024 * 1024 - 3))


# --- The child --------------------------------------------------------------------------------

def test_child_records_plays_and_deletes_a_voice_note(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    start_booklet(client, review)

    response = upload(client, "talk_about", WEBM)
    assert response.status_code == 303
    note = db.session.scalar(db.select(VoiceNote))
    assert (note.question_key, note.mime_type, note.size_bytes) == ("talk_about", "audio/webm", len(WEBM))
    assert note.booklet_id == booklet_for_review(review).id
    note_id = note.id

    played = client.get(f"/booklet/voice/{note.id}")
    assert played.status_code == 200
    assert played.data == WEBM
    assert played.mimetype == "audio/webm"
    assert played.headers["Cache-Control"] == "no-store"

    created = db.session.scalar(db.select(AuditEvent).filter_by(action="create", record_type="voice_note"))
    assert created is not None and created.actor_kind == "child" and created.record_id == note.id

    deleted = client.post(f"/booklet/voice/{note_id}/delete", data={"csrf_token": token_for(client), "next": "/my-iro"})
    assert deleted.status_code == 303
    assert deleted.headers["Location"] == "/my-iro"
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(VoiceNote)) == 0
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="delete", record_type="voice_note",
                                                              record_id=note_id)) is not None
    assert client.get(f"/booklet/voice/{note_id}").status_code == 404


def test_recorder_upload_gets_json_and_a_player(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    start_booklet(client, review)

    response = upload(client, "talk_about", MP4, filename="voice-note.m4a", content_type="audio/mp4", json=True)
    assert response.status_code == 201
    body = response.get_json()
    assert body["ok"] is True
    assert f'src="/booklet/voice/{body["id"]}"' in body["html"]
    assert f'action="/booklet/voice/{body["id"]}/delete"' in body["html"]
    assert db.session.get(VoiceNote, body["id"]).mime_type == "audio/mp4"


def test_a_picture_called_webm_is_refused_and_nothing_is_kept(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    start_booklet(client, review)

    response = upload(client, "talk_about", PNG, filename="note.webm", content_type="audio/webm", json=True)
    assert response.status_code == 400
    assert "does not look like a sound recording" in response.get_json()["message"]

    too_big = upload(client, "talk_about", WEBM[:4] + b"\x00" * (2 * 1024 * 1024 - 3))
    assert too_big.status_code == 303
    page = client.get(too_big.headers["Location"]).get_data(as_text=True)
    assert "too big" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(VoiceNote)) == 0


def test_only_questions_that_take_voice_notes(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    start_booklet(client, review)

    assert upload(client, "preferred_name", WEBM).status_code == 404
    assert upload(client, "no_such_question", WEBM).status_code == 404
    # 'good_things' is a Three Houses question, not in the 4-11 set this child has.
    assert upload(client, "good_things", WEBM).status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(VoiceNote)) == 0


def test_without_starting_there_is_no_upload(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    booklet = booklet_for_review(review)
    note = VoiceNote(booklet_id=booklet.id, question_key="talk_about", mime_type="audio/webm",
                     size_bytes=len(WEBM), data=WEBM)
    db.session.add(note)
    db.session.commit()
    assert client.get(f"/booklet/voice/{note.id}").status_code == 401


def test_another_child_cannot_play_or_delete_it(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro, preferred_name="Amira")
    other_review = child_with_review(iro, preferred_name="Ben")
    db.session.commit()
    start_booklet(client, review)
    upload(client, "talk_about", WEBM)
    note = db.session.scalar(db.select(VoiceNote))

    other = app.test_client()
    start_booklet(other, other_review)
    assert other.get(f"/booklet/voice/{note.id}").status_code == 404
    token = factories.csrf_token(other, "/my-iro/message")
    assert other.post(f"/booklet/voice/{note.id}/delete", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(VoiceNote, note.id) is not None


def test_after_the_meeting_the_booklet_takes_no_more_notes(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    start_booklet(client, review)
    review.status = "held"
    db.session.commit()
    response = upload(client, "talk_about", WEBM, json=True)
    assert response.status_code == 400
    assert "meeting has happened" in response.get_json()["message"]


# --- The IRO ----------------------------------------------------------------------------------

def _note_for(review) -> VoiceNote:
    booklet = booklet_for_review(review)
    note = VoiceNote(booklet_id=booklet.id, question_key="worries", mime_type="audio/webm",
                     size_bytes=len(WEBM), data=WEBM)
    db.session.add(note)
    db.session.commit()
    return note


def test_the_iro_plays_it_and_the_listen_is_audited(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    note = _note_for(review)
    factories.sign_in(client, iro)

    response = client.get(f"/staff/voice/{note.id}")
    assert response.status_code == 200
    assert response.data == WEBM and response.mimetype == "audio/webm"
    assert response.headers["Cache-Control"] == "no-store"
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="read", record_type="voice_note"))
    assert event is not None and event.record_id == note.id and event.staff_user_id == iro.id


def test_every_range_a_player_fetches_is_audited(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    note = _note_for(review)
    factories.sign_in(client, iro)

    first = client.get(f"/staff/voice/{note.id}", headers={"Range": "bytes=0-1"})
    assert first.status_code == 206 and first.data == WEBM[:2]
    rest = client.get(f"/staff/voice/{note.id}", headers={"Range": "bytes=2-"})
    assert rest.status_code == 206 and rest.data == WEBM[2:]
    reads = db.session.scalars(db.select(AuditEvent).filter_by(action="read", record_type="voice_note")
                               .order_by(AuditEvent.id)).all()
    # No byte leaves unrecorded: a download that starts part-way is on the record too.
    assert [event.detail for event in reads] == ["bytes=0-1", "bytes=2-"]
    assert all(event.staff_user_id == iro.id for event in reads)


def test_the_player_template_points_the_iro_at_the_staff_copy(app):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    note = _note_for(review)
    from portal.booklet.voice import player_html

    with app.test_request_context("/"):
        html = player_html(note, child=False)
    assert f'<audio class="portal-voice-note__audio" controls preload="none" src="/staff/voice/{note.id}">' in html
    assert "Delete" not in html


def test_another_iro_gets_not_found(app, client):
    iro = factories.staff("iro")
    other_iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    note = _note_for(review)
    factories.sign_in(client, other_iro)

    assert client.get(f"/staff/voice/{note.id}").status_code == 404
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="read", record_type="voice_note")) is None


def test_a_manager_may_listen_and_an_administrator_may_not(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    manager = factories.staff("manager")
    admin = factories.staff("admin")
    db.session.commit()
    note = _note_for(review)
    factories.sign_in(client, manager)
    assert client.get(f"/staff/voice/{note.id}").status_code == 200

    admin_client = app.test_client()
    factories.sign_in(admin_client, admin)
    assert admin_client.get(f"/staff/voice/{note.id}").status_code == 403


def test_the_voice_control_works_without_javascript(app, client):
    """The partial renders a plain multipart form with a token, for phones without the recorder."""
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    start_booklet(client, review)
    upload(client, "talk_about", WEBM)
    note = db.session.scalar(db.select(VoiceNote))

    from flask import render_template

    from portal.booklet.questions import question_set

    booklet = booklet_for_review(review)
    question = question_set(booklet.question_set).question("talk_about")
    with client.application.test_request_context("/booklet/my_meeting"):
        html = render_template("booklet/_voice.html", question=question, link=booklet_link(review))
    assert 'enctype="multipart/form-data"' in html
    assert 'action="/booklet/voice/talk_about"' in html
    assert 'type="file" accept="audio/*" capture' in html
    assert 'name="csrf_token"' in html
    assert f'src="/booklet/voice/{note.id}"' in html


def booklet_link(review):
    from portal.links.models import PrivateLink

    return db.session.scalar(db.select(PrivateLink).filter_by(review_id=review.id, purpose="booklet",
                                                              revoked_at=None))


# --- Without JavaScript the voice note is sent with the typed answers (issue 14, part 5) --------

def _section_form(client, review, question_key: str) -> tuple[str, dict[str, str], str]:
    """(section path, the section form's fields as the page has them, the page) for a voice question."""
    from portal.booklet.questions import question_set

    booklet = booklet_for_review(review)
    section = question_set(booklet.question_set).section_of(question_key)
    path = f"/booklet/{section.key}"
    page = client.get(path).get_data(as_text=True)
    fields = {name: value for name, value in re.findall(
        r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)}
    fields.update({name: value for value, name in re.findall(
        r'<input[^>]*type="hidden"[^>]*value="([^"]*)"[^>]*name="([^"]+)"', page)})
    return path, fields, page


def _answer_text(review, question_key: str) -> str | None:
    from portal.booklet.models import BookletAnswer

    db.session.expire_all()
    answer = db.session.scalar(db.select(BookletAnswer).filter_by(
        booklet_id=booklet_for_review(review).id, question_key=question_key))
    return answer.value_text if answer else None


def _send_with_typed_text(client, review, typed: dict[str, str], data: bytes | None):
    path, fields, page = _section_form(client, review, "talk_about")
    # The page's own button: the section's answer form, posted to the upload with the file field in it.
    button = re.search(r'<button[^>]*form="booklet-answers"[^>]*formaction="([^"]+)"', page, re.S)
    assert button, "the no-JavaScript 'Send voice note' does not belong to the section's answer form"
    action = button.group(1).replace("&amp;", "&")
    assert 'name="voice_audio__talk_about"' in page and 'form="booklet-answers"' in page
    boundary = "----typed-and-voice"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in {**fields, **typed}.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="voice_audio__talk_about"; '
                 f'filename="{"note.webm" if data else ""}"\r\nContent-Type: '
                 f'{"audio/webm" if data else "application/octet-stream"}\r\n\r\n'.encode() + (data or b"") + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return path, client.post(action, data=b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}")


def test_without_javascript_sending_a_voice_note_keeps_the_typed_words(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    start_booklet(client, review)
    path, response = _send_with_typed_text(client, review, {"talk_about": "My typed words about school"}, WEBM)
    assert response.status_code == 303 and response.headers["Location"].endswith(path)
    assert _answer_text(review, "talk_about") == "My typed words about school"
    assert db.session.scalar(db.select(db.func.count()).select_from(VoiceNote)) == 1
    shown = client.get(path).get_data(as_text=True)
    assert "My typed words about school" in shown and "Your voice note is saved" in shown
    saved = db.session.scalar(db.select(AuditEvent).filter_by(action="answers_saved"))
    assert saved is not None and "My typed words" not in (saved.detail or "")


def test_without_a_file_the_typed_words_are_still_saved(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    start_booklet(client, review)
    path, response = _send_with_typed_text(client, review, {"talk_about": "Words, no recording"}, None)
    assert response.status_code == 303
    assert _answer_text(review, "talk_about") == "Words, no recording"
    assert db.session.scalar(db.select(db.func.count()).select_from(VoiceNote)) == 0
    assert "Choose a recording to send" in client.get(path).get_data(as_text=True)


def test_words_too_long_come_back_on_the_page_and_the_note_is_kept(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    start_booklet(client, review)
    long_words = "long " * 1000
    _path, response = _send_with_typed_text(client, review, {"talk_about": long_words}, WEBM)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, response.status_code
    assert long_words.strip() in page and "There is a problem" in page
    assert _answer_text(review, "talk_about") is None
    assert db.session.scalar(db.select(db.func.count()).select_from(VoiceNote)) == 1


def test_the_recorder_upload_leaves_typed_answers_alone(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    factories.answer(factories.booklet(review), "talk_about", "Already saved")
    db.session.commit()
    start_booklet(client, review)
    assert upload(client, "talk_about", WEBM, json=True).status_code == 201
    assert _answer_text(review, "talk_about") == "Already saved"


def test_another_booklets_form_saves_nothing_here(app, client):
    """A booklet_ref signed for another booklet is not this child's section form: no words are saved."""
    from portal.booklet import answers as rules

    iro = factories.staff("iro")
    review = child_with_review(iro)
    other = booklet_for_review(child_with_review(iro))
    db.session.commit()
    start_booklet(client, review)
    with app.test_request_context("/"):
        foreign_ref = rules.booklet_ref(other)
    _path, response = _send_with_typed_text(client, review, {"talk_about": "Not mine", "booklet_ref": foreign_ref},
                                            WEBM)
    assert response.status_code == 303
    assert _answer_text(review, "talk_about") is None


def test_without_javascript_deleting_a_voice_note_keeps_the_typed_words(app, client):
    iro = factories.staff("iro")
    review = child_with_review(iro)
    db.session.commit()
    start_booklet(client, review)
    assert upload(client, "talk_about", WEBM, json=True).status_code == 201
    path, fields, page = _section_form(client, review, "talk_about")
    button = re.search(r'<button[^>]*data-voice-delete-button[^>]*form="booklet-answers"[^>]*formaction="([^"]+)"',
                       page, re.S)
    assert button, "the no-JavaScript 'Delete this voice note' does not belong to the section's answer form"
    response = client.post(button.group(1).replace("&amp;", "&"),
                           data={**fields, "talk_about": "Typed before deleting"})
    assert response.status_code == 303 and response.headers["Location"].endswith(path)
    assert _answer_text(review, "talk_about") == "Typed before deleting"
    assert db.session.scalar(db.select(db.func.count()).select_from(VoiceNote)) == 0
