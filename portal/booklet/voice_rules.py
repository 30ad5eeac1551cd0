"""Voice note rules: which questions take one, what counts as a sound recording, saving and deleting.

Duration: a WebM/Opus recording carries no easy-to-read length in its header (browsers write it
streaming, often without a Duration element), so the 2-minute limit is enforced by the recorder in
static/js/voice.js (it stops itself at 120 s) and the server enforces the 2 MB cap, which at the
recorder's 64 kbit/s is a little over 4 minutes: a hard ceiling whatever a client sends.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.audit import record_event
from portal.booklet import answers
from portal.booklet.models import Booklet, VoiceNote
from portal.booklet.questions import Question, Section, question_set
from portal.extensions import db

MAX_VOICE_BYTES = 2 * 1024 * 1024
MAX_VOICE_SECONDS = 120
# Enough for a child to try again a few times; stops one link filling the database.
MAX_NOTES_PER_QUESTION = 5


class VoiceNoteError(ValueError):
    """A recording the portal will not keep; str(error) is the message for the child."""


def sniff_audio_type(data: bytes) -> str | None:
    """The audio type the bytes themselves show (never the file name or declared type), or None."""
    if len(data) < 4:
        return None
    if data[:4] == b"\x1a\x45\xdf\xa3":  # EBML: WebM / Matroska
        return "audio/webm"
    if len(data) >= 8 and data[4:8] == b"ftyp":  # ISO base media: MP4 / M4A (Safari records this)
        return "audio/mp4"
    if data[:4] == b"OggS":
        return "audio/ogg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0):  # ID3 tag or MPEG frame sync
        return "audio/mpeg"
    return None


def check_recording(data: bytes) -> str:
    """The sniffed type of an acceptable recording; VoiceNoteError with a plain message otherwise."""
    if not data:
        raise VoiceNoteError(_l("Choose a recording to send"))
    if len(data) > MAX_VOICE_BYTES:
        raise VoiceNoteError(_l("That recording is too big. A voice note can be up to 2 MB, "
                                "about 2 minutes. Try a shorter one."))
    mime_type = sniff_audio_type(data)
    if mime_type is None:
        raise VoiceNoteError(_l("This does not look like a sound recording. Choose a sound file, "
                                "or record your voice again."))
    return mime_type


def voice_question(booklet: Booklet, question_key: str) -> Question | None:
    """The question if the booklet's own question set lets it take a voice note."""
    question = question_set(booklet.question_set).question(question_key)
    return question if question is not None and question.voice else None


def booklet_open(booklet: Booklet) -> bool:
    """Notes can be added or removed until the meeting has happened (or the review was cancelled)."""
    return booklet.review.status == "planned"


def notes_for(booklet: Booklet, question_key: str | None = None) -> list[VoiceNote]:
    """The booklet's voice notes, oldest first, for one question or all."""
    query = db.select(VoiceNote).filter_by(booklet_id=booklet.id)
    if question_key is not None:
        query = query.filter_by(question_key=question_key)
    # Load no bytes for a list: only the player fetches them.
    query = query.options(db.defer(VoiceNote.data)).order_by(VoiceNote.created_at, VoiceNote.id)
    return list(db.session.scalars(query))


def notes_by_question(booklet: Booklet) -> dict[str, list[VoiceNote]]:
    """question_key -> that question's voice notes, for a booklet page."""
    grouped: dict[str, list[VoiceNote]] = {}
    for note in notes_for(booklet):
        grouped.setdefault(note.question_key, []).append(note)
    return grouped


def save_voice_note(booklet: Booklet, question_key: str, data: bytes, *, link_id: int | None) -> VoiceNote:
    """Check and keep a recording for a question; audited without its content. The caller commits."""
    if not booklet_open(booklet):
        raise VoiceNoteError(_l("Your meeting has happened, so your booklet is closed. "
                                "You can still send your IRO a message."))
    mime_type = check_recording(data)
    if len(notes_for(booklet, question_key)) >= MAX_NOTES_PER_QUESTION:
        raise VoiceNoteError(_l("You already have %(n)d voice notes for this question. "
                                "Delete one before you record another.", n=MAX_NOTES_PER_QUESTION))
    note = VoiceNote(booklet_id=booklet.id, question_key=question_key, mime_type=mime_type,
                     size_bytes=len(data), data=data)
    db.session.add(note)
    db.session.flush()
    record_event("create", "voice_note", note.id, link_id=link_id,
                 detail=f"question={question_key} type={mime_type} bytes={len(data)}")
    return note


def save_typed_answers(booklet: Booklet, question_key: str, form, *, link_id: int | None
                       ) -> tuple[Section, answers.SectionResult, dict[str, answers.Posted]] | None:
    """Without JavaScript the voice note is sent with the section's own form: save what the child typed
    there first, through the booklet's save, so sending a voice note never loses their words.

    None when the post carried no typed answers of this booklet (the recorder sends only the sound).
    The caller commits.
    """
    # The signed reference marks the section's form; any age: the CSRF token already bounds it.
    if answers.booklet_id_from_ref(form.get("booklet_ref"), max_age=None) != booklet.id or not booklet_open(booklet):
        return None
    section = question_set(booklet.question_set).section_of(question_key)
    if section is None:
        return None
    result, posted = answers.save_section(booklet, section, form)
    if result.saved:
        record_event("answers_saved", "booklet", booklet.id, detail=section.key, link_id=link_id)
    return section, result, posted


def delete_voice_note(note: VoiceNote, *, link_id: int | None) -> None:
    """Really delete the row (the child withdrew it); the audit keeps only that it happened."""
    note_id, question_key = note.id, note.question_key
    db.session.delete(note)
    record_event("delete", "voice_note", note_id, link_id=link_id, detail=f"question={question_key}")


def child_note(booklet: Booklet | None, note_id: int) -> VoiceNote | None:
    """A note only if it belongs to this child's booklet (None for anyone else's)."""
    if booklet is None:
        return None
    note = db.session.get(VoiceNote, note_id)
    return note if note is not None and note.booklet_id == booklet.id else None
