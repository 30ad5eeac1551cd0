"""Staff side: the urgent list, acknowledging a concern, and the administrator's word list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import jobs
from portal.audit import record_event
from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.reviews.hooks import register_children_reassigned
from portal.safeguarding import services
from portal.safeguarding.forms import CATEGORY_LABELS, AcknowledgeForm, EntryForm
from portal.safeguarding.matching import highlight_spans
from portal.safeguarding.models import ScreeningEntry, UrgentConcern
from portal.security import load_or_404, role_required

bp = Blueprint("safeguarding_staff", __name__)
ESCALATE_JOB = "escalate_concerns"


def escalate_job() -> int:
    """Escalate concerns nobody acknowledged in time (every five minutes)."""
    count = services.escalate_overdue_concerns()
    db.session.commit()
    return count


bp.record_once(lambda state: jobs.register_periodic(ESCALATE_JOB, escalate_job, minute="*/5"))
# Notices still waiting for an old IRO follow the children a manager moves (portal.reviews.reassign).
bp.record_once(lambda state: register_children_reassigned("safeguarding", services.follow_new_iro))

CASEWORK = ("iro", "manager")


def concern_view(concern: UrgentConcern, form: AcknowledgeForm | None = None, next_url: str = "") -> dict:
    """What a concern shows: the snapshot cut into marked and plain runs, what changed since, a form."""
    if form is None and concern.acknowledged_at is None:
        form = AcknowledgeForm(prefix=f"ack{concern.id}")
        form.next.data = next_url
    latest = None
    if concern.latest_at is not None and concern.source_removed_at is None and concern.latest_text is not None:
        latest = highlight_spans(concern.latest_text, concern.latest_matches or [])
    return {
        "concern": concern,
        "form": form,
        "pieces": highlight_spans(concern.snapshot_text or "", concern.snapshot_matches or []),
        "matched": sorted({(concern.snapshot_text or "")[m["start"]:m["end"]] for m in concern.snapshot_matches or []}),
        "categories": [CATEGORY_LABELS.get(c, c) for c in concern.category_list],
        "latest": latest,
    }


@bp.app_template_global()
def safeguarding_concern_views(concerns: list[UrgentConcern], forms: dict | None = None, next_url: str = "") -> list:
    """For any page that shows a child's concerns (the booklet page puts them first)."""
    if concerns:
        # Every read of a child's words by staff is on the record.
        for concern in concerns:
            record_event("read", "urgent_concern", concern.id)
    return [concern_view(c, (forms or {}).get(c.id), next_url) for c in concerns]


@bp.app_template_global()
def open_urgent_count(review=None) -> int:
    """Unacknowledged concerns the signed-in person may see (for one review, or all of theirs)."""
    if not current_user.is_authenticated or current_user.role not in CASEWORK:
        return 0
    counts = services.open_concern_counts(current_user)
    return counts.get(review.id, 0) if review is not None else sum(counts.values())


@bp.app_template_global()
def child_safeguarding_flags(child_id: int) -> dict:
    """Unread messages and open concerns for one child on a list, counted once per request."""
    if "child_safeguarding_flags" not in g:
        g.child_safeguarding_flags = services.child_flags(current_user)
    return g.child_safeguarding_flags.get(child_id, {"unread": 0, "urgent": 0})


def _safe_next(value: str | None) -> str:
    """Only a path on this site: never an address elsewhere."""
    value = (value or "").strip()
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return url_for("safeguarding_staff.urgent_list")


def _render_list(forms: dict | None = None, code: int = 200):
    concerns = list(db.session.scalars(services.open_concerns_query(current_user)))
    items = safeguarding_concern_views(concerns, forms, url_for("safeguarding_staff.urgent_list"))
    form = next((f for f in (forms or {}).values() if f.errors), None)
    page = render_template("safeguarding/urgent.html", items=items, form=form)
    db.session.commit()
    return page, code


@bp.get("/urgent")
@role_required(*CASEWORK)
def urgent_list():
    return _render_list()


@bp.post("/urgent/<int:concern_id>/acknowledge")
@role_required(*CASEWORK)
def acknowledge(concern_id: int):
    concern = load_or_404(UrgentConcern, concern_id)
    form = AcknowledgeForm(prefix=f"ack{concern.id}")
    if form.validate_on_submit():
        services.acknowledge(concern, current_user, form.note.data)
        db.session.commit()
        flash(_("Acknowledged. Thank you."), "success")
        return redirect(_safe_next(form.next.data), 303)
    return _render_list({concern.id: form}, code=400)


# --- The word list ----------------------------------------------------------------------------

def _render_entries(form: EntryForm, code: int = 200, confirm: ScreeningEntry | None = None):
    """The word list page: warnings, the add form, the entries by category (in one language, or all)."""
    language = request.args.get("language")
    if language not in LANGUAGES:
        language = None
    if language and not form.language.data:
        form.language.data = language  # adding to the list being looked at
    page = render_template("safeguarding/entries.html", form=form, grouped=services.entries_by_category(language),
                           labels=CATEGORY_LABELS, confirm=confirm, empty=services.empty_categories(list(LANGUAGES)),
                           language=language, language_names={code: services.language_name(code) for code in LANGUAGES})
    return page, code


LIST_ERRORS = {"category": ("category", _l("Choose what kind of harm it suggests")),
               "empty": ("phrase", _l("Enter a word or phrase"))}


def _flash_added(entry, was_active: bool | None) -> None:
    """Added, restored, or already there: the administrator is told which."""
    category = CATEGORY_LABELS.get(entry.category, entry.category)
    if was_active is None:
        flash(_("Added: %(phrase)s", phrase=entry.phrase), "success")
    elif was_active:
        flash(_("%(phrase)s is on the list already, under %(category)s.", phrase=entry.phrase,
                category=category), "info")
    else:
        flash(_("Restored: %(phrase)s. It was on the list already, under %(category)s.", phrase=entry.phrase,
                category=category), "success")


@bp.route("/admin/words", methods=["GET", "POST"])
@role_required("admin")
def entries():
    form = EntryForm()
    if form.validate_on_submit():
        before = services.find_entry(form.phrase.data, form.language.data)
        was_active = before.active if before is not None else None
        try:
            entry = services.add_entry(form.phrase.data, form.language.data, form.category.data, current_user)
        except services.ListError as error:
            field, message = LIST_ERRORS.get(error.args[0],
                                             ("phrase", _l("Enter a word or phrase with at least two letters")))
            getattr(form, field).errors.append(str(message))
        else:
            db.session.commit()
            _flash_added(entry, was_active)
            return redirect(url_for("safeguarding_staff.entries", language=request.args.get("language")), 303)
    return _render_entries(form, 400 if form.errors else 200)


@bp.post("/admin/words/<int:entry_id>/disable")
@role_required("admin")
def disable_entry(entry_id: int):
    entry = db.session.get(ScreeningEntry, entry_id) or abort(404)
    emptied = services.would_empty_category(entry)
    if emptied and request.form.get("confirm") != "yes":
        # Nothing changes until the administrator confirms: the page asks, with a warning.
        return _render_entries(EntryForm(formdata=None), 409, confirm=entry)
    services.set_active(entry, False, current_user)
    db.session.commit()
    if emptied:
        flash(_("Disabled: %(phrase)s. Nothing in %(language)s is screened for %(category)s now: add or restore a "
                "word or phrase.", phrase=entry.phrase, language=services.language_name(entry.language),
                category=CATEGORY_LABELS.get(entry.category, entry.category)), "warning")
    else:
        flash(_("Disabled: %(phrase)s. You can restore it at any time.", phrase=entry.phrase), "success")
    return redirect(url_for("safeguarding_staff.entries", language=request.args.get("language")), 303)


@bp.post("/admin/words/<int:entry_id>/restore")
@role_required("admin")
def restore_entry(entry_id: int):
    entry = db.session.get(ScreeningEntry, entry_id) or abort(404)
    services.set_active(entry, True, current_user)
    db.session.commit()
    flash(_("Restored: %(phrase)s", phrase=entry.phrase), "success")
    return redirect(url_for("safeguarding_staff.entries", language=request.args.get("language")), 303)
