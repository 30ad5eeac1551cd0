"""The letters' pages for managers and the lists: the glossary of care words, the letter due or late on the
children lists, and the link to the letter under a held review."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from portal.audit import record_event
from portal.extensions import db
from portal.letters import plain_words
from portal.letters.manage_forms import LANGUAGE_LABELS, EntryForm, NewEntryForm
from portal.letters.models import GlossaryEntry
from portal.letters.status import held_review_link, letter_statuses
from portal.reviews import hooks as review_hooks
from portal.security import ADMIN, MANAGER, role_required

bp = Blueprint("letters_manage", __name__)


@bp.record_once
def _register(_state) -> None:
    review_hooks.register_child_status("letter", _l("Letter"), letter_statuses)
    review_hooks.register_held_review_link("letter", held_review_link)


# --- The glossary ---------------------------------------------------------------------------------

def _duplicate(term: str, language: str, entry_id: int | None = None) -> GlossaryEntry | None:
    query = db.select(GlossaryEntry).where(func.lower(GlossaryEntry.term) == term.lower(),
                                           GlossaryEntry.language == language)
    if entry_id is not None:
        query = query.where(GlossaryEntry.id != entry_id)
    return db.session.scalar(query.limit(1))


def _refuse_duplicate(form: EntryForm, language: str, entry_id: int | None = None) -> bool:
    existing = _duplicate(form.term.data or "", language, entry_id)
    if existing is None:
        return False
    form.term.errors = [*form.term.errors, _("‘%(term)s’ is in the %(language)s glossary already",
                                             term=existing.term, language=LANGUAGE_LABELS[language])]
    return True


@bp.get("/letters/glossary")
@role_required(MANAGER, ADMIN)
def glossary():
    if plain_words.sync_builtin_glossary():
        db.session.commit()
    entries = db.session.scalars(db.select(GlossaryEntry).order_by(GlossaryEntry.language,
                                                                   func.lower(GlossaryEntry.term))).all()
    by_language = {code: [e for e in entries if e.language == code] for code in plain_words.LANGUAGES}
    return render_template("letters/glossary.html", by_language=by_language, language_labels=LANGUAGE_LABELS)


@bp.route("/letters/glossary/new", methods=["GET", "POST"])
@role_required(MANAGER, ADMIN)
def new_entry():
    form = NewEntryForm()
    if form.is_submitted():
        # A built-in word not yet in the table would otherwise be added twice.
        plain_words.sync_builtin_glossary()
    if form.validate_on_submit() and not _refuse_duplicate(form, form.language.data):
        entry = GlossaryEntry(term=form.term.data, language=form.language.data, suggestion=form.suggestion.data or "",
                              note=form.note.data or "", active=bool(form.active.data), builtin=False)
        db.session.add(entry)
        db.session.flush()
        record_event("glossary_changed", "glossary_entry", entry.id, detail="added")
        db.session.commit()
        flash(_("Added to the glossary: %(term)s", term=entry.term), "success")
        return redirect(url_for("letters_manage.glossary"), 303)
    return render_template("letters/glossary_entry.html", form=form, entry=None,
                           language_labels=LANGUAGE_LABELS), 400 if form.errors else 200


@bp.route("/letters/glossary/<int:entry_id>", methods=["GET", "POST"])
@role_required(MANAGER, ADMIN)
def edit_entry(entry_id: int):
    entry = db.session.get(GlossaryEntry, entry_id)
    if entry is None:
        abort(404)
    form = EntryForm(obj=entry)
    if entry.builtin:
        # The term of a built-in entry stays: what is posted for it is ignored.
        form.term.data = entry.term
    if form.validate_on_submit() and not _refuse_duplicate(form, entry.language, entry.id):
        changes = {"term": form.term.data, "suggestion": form.suggestion.data or "", "note": form.note.data or "",
                   "active": bool(form.active.data)}
        changed = [name for name, value in changes.items() if getattr(entry, name) != value]
        if changed:
            for name in changed:
                setattr(entry, name, changes[name])
            record_event("glossary_changed", "glossary_entry", entry.id, detail="changed: " + ", ".join(changed))
            db.session.commit()
            flash(_("Saved: %(term)s", term=entry.term), "success")
        return redirect(url_for("letters_manage.glossary"), 303)
    return render_template("letters/glossary_entry.html", form=form, entry=entry,
                           language_labels=LANGUAGE_LABELS), 400 if form.errors else 200
