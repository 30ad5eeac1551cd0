"""Voice notes: record instead of typing; the child plays or deletes their own, the IRO plays them."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from portal.audit import record_event
from portal.booklet import answers as rules
from portal.booklet import views as pages
from portal.booklet import voice_rules
from portal.booklet.models import Booklet, VoiceNote
from portal.booklet.services import booklet_for_review
from portal.extensions import db, limiter
from portal.i18n import safe_return_path
from portal.links.models import PrivateLink
from portal.links.session import child_link_required
from portal.security import load_or_404, register_review_path, role_required

bp = Blueprint("voice", __name__)
# A voice note belongs to the review of its booklet.
register_review_path(VoiceNote, lambda note: db.session.scalar(
    db.select(Booklet.review_id).where(Booklet.id == note.booklet_id)))


def _wants_json() -> bool:
    """The recorder's fetch asks for JSON; a plain form post gets a page."""
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"


def _back() -> str:
    """Where a plain form post returns: the booklet page it came from, on this site only."""
    return safe_return_path(request.values.get("next") or request.referrer and _path_only(request.referrer))


def _path_only(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _stream(note: VoiceNote):
    """The recording's bytes as the sniffed type, never cached; ranges work (Safari needs them)."""
    response = send_file(io.BytesIO(note.data), mimetype=note.mime_type, conditional=True, etag=False,
                         max_age=0, download_name=f"voice-note-{note.id}.{note.mime_type.split('/')[1]}")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def player_html(note: VoiceNote, *, child: bool, next_path: str = "") -> str:
    """The player for one note: the child's has a delete button, the IRO's plays the staff copy."""
    if child:
        return render_template("booklet/_voice_player.html", note=note,
                               play_url=url_for("voice.play_own", note_id=note.id),
                               delete_url=url_for("voice.delete", note_id=note.id), next_path=next_path)
    return render_template("booklet/_voice_player.html", note=note)


@bp.app_template_global()
def voice_notes_for(link: PrivateLink, question_key: str) -> list[VoiceNote]:
    """The child's notes for one question, for _voice.html when the page passed none."""
    booklet = booklet_for_review(link.review) if link and link.review else None
    return voice_rules.notes_for(booklet, question_key) if booklet else []


def _recording(question_key: str) -> bytes:
    """The sound sent: the recorder's `audio`, or this question's file field in the section's form."""
    upload_file = request.files.get("audio") or request.files.get(f"voice_audio__{question_key}")
    # Read one byte past the cap: enough to know it is too big without holding more.
    return upload_file.stream.read(voice_rules.MAX_VOICE_BYTES + 1) if upload_file else b""


def _save_typed(link: PrivateLink, booklet: Booklet, question_key: str):
    """Save the words typed on the section page the note was sent from (no JavaScript: one form).

    Returns (section, result, posted) when some could not be saved (too long, changed elsewhere), so
    the page shows them again; None when all were saved or none were sent.
    """
    typed = voice_rules.save_typed_answers(booklet, question_key, request.form, link_id=link.id)
    if typed is None:
        return None
    section, result, posted = typed
    if any(saved.answer is not None and saved.answer.urgent for saved in result.saved.values()):
        pages.show_help_now()
    db.session.commit()
    return None if result.ok else typed


def _plain_reply(link: PrivateLink, booklet: Booklet, message: str, category: str, unsaved, next_path: str):
    """A form post's answer: back to the page, or that page again with the words it could not save."""
    if unsaved is None:
        flash(message, category)
        return redirect(next_path, 303)
    section, result, posted = unsaved
    fields = pages._fields(section, rules.answers_by_key(booklet), posted, result)
    return pages._section_page(link, booklet, section, fields, message=message)


@bp.post("/booklet/voice/<question_key>")
@limiter.limit("60 per hour")
@child_link_required
def upload(link: PrivateLink, question_key: str):
    booklet = booklet_for_review(link.review)
    if booklet is None or voice_rules.voice_question(booklet, question_key) is None:
        abort(404)
    data = _recording(question_key)
    unsaved = _save_typed(link, booklet, question_key)
    next_path = _back()
    try:
        note = voice_rules.save_voice_note(booklet, question_key, data, link_id=link.id)
    except voice_rules.VoiceNoteError as error:
        db.session.rollback()
        if _wants_json():
            return jsonify(ok=False, message=str(error)), 400
        return _plain_reply(link, booklet, str(error), "error", unsaved, next_path)
    db.session.commit()
    message = _("Your voice note is saved. Your IRO (the person who runs your meeting) can listen to it.")
    if _wants_json():
        return jsonify(ok=True, id=note.id, message=message,
                       html=player_html(note, child=True, next_path=next_path)), 201
    return _plain_reply(link, booklet, message, "success", unsaved, next_path)


@bp.get("/booklet/voice/<int:note_id>")
@child_link_required
def play_own(link: PrivateLink, note_id: int):
    note = voice_rules.child_note(booklet_for_review(link.review), note_id)
    if note is None:
        abort(404)
    return _stream(note)


@bp.post("/booklet/voice/<int:note_id>/delete")
@child_link_required
def delete(link: PrivateLink, note_id: int):
    booklet = booklet_for_review(link.review)
    note = voice_rules.child_note(booklet, note_id)
    if note is None:
        abort(404)
    unsaved = _save_typed(link, booklet, note.question_key)
    next_path = _back()
    if not voice_rules.booklet_open(booklet):
        message = _("Your meeting has happened, so your booklet is closed. Ask your IRO (the person who "
                    "runs your meeting) if you want this voice note removed.")
        if _wants_json():
            return jsonify(ok=False, message=message), 400
        flash(message, "error")
        return redirect(next_path, 303)
    voice_rules.delete_voice_note(note, link_id=link.id)
    db.session.commit()
    message = _("Your voice note is deleted.")
    if _wants_json():
        return jsonify(ok=True, message=message)
    return _plain_reply(link, booklet, message, "success", unsaved, next_path)


@bp.get("/staff/voice/<int:note_id>")
@role_required("iro", "manager")
def play_staff(note_id: int):
    note = load_or_404(VoiceNote, note_id)
    # Every byte of a child's words that leaves for a staff member is on the record: a player fetches
    # a recording in ranges, and each range is audited with the bytes it asked for.
    range_header = " ".join(request.headers.get("Range", "").split())[:100]
    record_event("read", "voice_note", note.id, detail=range_header)
    db.session.commit()
    return _stream(note)
