"""Every staff route, walked as nobody, an IRO, a manager and an administrator.

Routes come from app.url_map, so a new route is covered the day it is added: it must be declared
in ACCESS below (who may use it) or it fails test_every_route_is_declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from portal.booklet.models import Booklet, VoiceNote
from portal.booklet.questions import CURRENT_SET
from portal.consultation.models import ParentConsultation
from portal.consultation.services import ask_parent
from portal.extensions import db
from portal.reviews.models import Child, Review
from portal.safeguarding.models import ChildMessage, ScreeningEntry, UrgentConcern
from portal.staff.models import StaffUser
from portal.timeutil import utcnow
from tests import factories as f

IRO, MANAGER, ADMIN = "iro", "manager", "admin"
ALL_STAFF = frozenset({IRO, MANAGER, ADMIN})
CASEWORK = frozenset({IRO, MANAGER})


@dataclass(frozen=True)
class Access:
    """Who may use an endpoint; `child_records`: its URL names a child's record, so only that child's IRO
    (and managers) may, never another IRO."""

    roles: frozenset[str]
    child_records: bool = False
    # False when a GET by someone allowed may fairly answer 404 (for example a feature switched off here).
    get_must_work: bool = True


# Anyone may reach these: the public site, the child's pages behind their private link, signing in.
# pictures and speech serve fixed files (the booklet's pictures, spoken catalogue texts): nothing about anyone.
PUBLIC_BLUEPRINTS = {"site", "assets", "links", "booklet", "my_iro", "messages", "feedback", "letter_reading",
                     "pictures", "speech"}
PUBLIC_ENDPOINTS = {
    "static", "staff.sign_in", "staff.sign_in_code", "staff.sign_out",
    # The child's own voice notes (behind their link session); staff listen through voice.play_staff.
    "voice.upload", "voice.play_own", "voice.delete",
    # A parent's or carer's views before the review (behind their own link session).
    "consultation.form", "consultation.save", "consultation.check", "consultation.send", "consultation.sent",
}

# Every other endpoint, with who may use it. Add each new staff route here.
ACCESS: dict[str, Access] = {
    # Accounts and administration
    "staff.change_password": Access(ALL_STAFF),
    "staff.account": Access(ALL_STAFF),
    "staff.two_step": Access(ALL_STAFF),
    "staff.own_photo": Access(ALL_STAFF, get_must_work=False),
    "staff.admin_home": Access(frozenset({ADMIN})),
    "staff.new_account": Access(frozenset({ADMIN})),
    "staff.toggle_active": Access(frozenset({ADMIN})),
    "staff.reissue_password_link": Access(frozenset({ADMIN})),
    "staff.teams": Access(frozenset({ADMIN})),
    "staff.settings": Access(frozenset({ADMIN})),
    "feedback_staff.review_feedback": Access(CASEWORK, child_records=True),
    "feedback_staff.handover": Access(frozenset({IRO}), child_records=True),
    # The DfE SSDA903 reviews file: administrators import past years; managers and administrators export a year.
    "insights.dashboard": Access(CASEWORK),
    "insights.table_csv": Access(CASEWORK),
    # The annual-report pack (no names: to share outside the service), for managers.
    "insights.report": Access(frozenset({MANAGER})),
    "insights.report_pdf": Access(frozenset({MANAGER})),
    "insights.report_css": Access(frozenset({MANAGER})),
    "insights.dfe903_import": Access(frozenset({ADMIN})),
    "insights.dfe903_export": Access(frozenset({MANAGER, ADMIN})),
    "feedback_manage.collated": Access(CASEWORK),
    "feedback_manage.export": Access(frozenset({MANAGER})),
    "feedback_manage.comments": Access(frozenset({MANAGER})),
    "feedback_manage.comment": Access(frozenset({MANAGER}), get_must_work=False),
    "feedback_manage.themes": Access(frozenset({MANAGER})),
    "feedback_manage.theme": Access(frozenset({MANAGER}), get_must_work=False),
    "feedback_manage.forms": Access(frozenset({MANAGER})),
    "feedback_manage.change_form": Access(frozenset({MANAGER}), get_must_work=False),
    # The letter to the child: written, issued, corrected and read back by the child's IRO and managers.
    "letters.write": Access(CASEWORK, child_records=True),
    "letters.autosave": Access(CASEWORK, child_records=True, get_must_work=False),
    "letters.check": Access(CASEWORK, child_records=True, get_must_work=False),
    "letters.correct": Access(CASEWORK, child_records=True, get_must_work=False),
    "letters.history": Access(CASEWORK, child_records=True, get_must_work=False),
    "letters.version": Access(CASEWORK, child_records=True, get_must_work=False),
    "letter_records.record_json": Access(CASEWORK, child_records=True, get_must_work=False),
    "letter_records.record_csv": Access(CASEWORK, child_records=True, get_must_work=False),
    "letter_records.letter_pdf": Access(CASEWORK, child_records=True, get_must_work=False),
    "letters_manage.glossary": Access(frozenset({MANAGER, ADMIN})),
    "letters_manage.new_entry": Access(frozenset({MANAGER, ADMIN})),
    "letters_manage.edit_entry": Access(frozenset({MANAGER, ADMIN}), get_must_work=False),
    "consultation.ask": Access(CASEWORK, child_records=True),
    "consultation.read": Access(CASEWORK, child_records=True),
    "safeguarding_staff.entries": Access(frozenset({ADMIN})),
    "safeguarding_staff.disable_entry": Access(frozenset({ADMIN})),
    "safeguarding_staff.restore_entry": Access(frozenset({ADMIN})),
    # The IRO workspace
    "reviews.my_children": Access(CASEWORK),
    "reviews.add_child": Access(CASEWORK),
    "reviews.child_page": Access(CASEWORK, child_records=True),
    "reviews.plan_review": Access(CASEWORK, child_records=True),
    "reviews.record_outcome": Access(CASEWORK, child_records=True),
    "reviews.service_list": Access(frozenset({MANAGER})),
    # The caseload: an IRO's own (a manager is sent on to the service's), the service's, moving children
    "caseload.mine": Access(CASEWORK),
    "caseload.service": Access(frozenset({MANAGER})),
    "caseload_reassign.choose": Access(frozenset({MANAGER})),
    "caseload_reassign.confirm": Access(frozenset({MANAGER})),
    # The IRO's side of the booklet
    "booklet_staff.read": Access(CASEWORK, child_records=True),
    "booklet_staff.send": Access(CASEWORK, child_records=True),
    "booklet_staff.invitation_letter": Access(CASEWORK, child_records=True),
    "booklet_staff.remind": Access(CASEWORK, child_records=True),
    "booklet_staff.stop_links": Access(CASEWORK, child_records=True),
    "booklet_staff.version": Access(CASEWORK, child_records=True),
    "booklet_staff.participation": Access(CASEWORK, child_records=True),
    "safeguarding_staff.acknowledge": Access(CASEWORK, child_records=True),
    "safeguarding_staff.urgent_list": Access(CASEWORK),
    "voice.play_staff": Access(CASEWORK, child_records=True),
    # The development outbox: each person sees only their own messages; 404 when Notify is on.
    "outbox.index": Access(ALL_STAFF, get_must_work=False),
}

# URL parameters, filled with records that belong to another IRO (the `owner` in World).
PARAMS = {
    "child_id": lambda w: w.child.id,
    "review_id": lambda w: w.review.id,
    "booklet_id": lambda w: w.booklet.id,
    "concern_id": lambda w: w.concern.id,
    "message_id": lambda w: w.message.id,
    "note_id": lambda w: w.note.id,
    "user_id": lambda w: w.owner.id,
    "entry_id": lambda w: w.word.id,
    "consultation_id": lambda w: w.consultation.id,
    "answer_id": lambda w: 1,
    "theme_id": lambda w: 1,
    "group": lambda w: "parent_carer",
    "section_key": lambda w: "participation",
    "table_key": lambda w: "by_year",
    "number": lambda w: 1,
}


def is_public(endpoint: str) -> bool:
    return endpoint in PUBLIC_ENDPOINTS or endpoint.split(".")[0] in PUBLIC_BLUEPRINTS


def staff_routes(app) -> list[tuple[str, str, object]]:
    """(endpoint, method, rule) for every non-public route."""
    routes = []
    for rule in app.url_map.iter_rules():
        if is_public(rule.endpoint):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, rule))
    return sorted(routes, key=lambda item: (item[0], item[1]))


@dataclass
class World:
    owner: StaffUser  # the IRO whose records the URLs name
    intruder: StaffUser  # another IRO
    manager: StaffUser
    admin: StaffUser
    child: Child
    review: Review
    booklet: Booklet
    concern: UrgentConcern
    message: ChildMessage
    note: VoiceNote
    word: ScreeningEntry
    consultation: ParentConsultation


def build_world() -> World:
    north, south = f.team("North"), f.team("South")
    owner = f.staff(IRO, team=south)
    intruder = f.staff(IRO, team=north)
    manager = f.staff(MANAGER, team=north)
    admin = f.staff(ADMIN)
    child = f.child(owner, age=12, preferred_name="Owned")
    review = f.review(child, days_ahead=20)
    booklet = Booklet(review_id=review.id, version="12-17", question_set=CURRENT_SET["12-17"], invited_at=utcnow())
    db.session.add(booklet)
    db.session.flush()
    message = ChildMessage(review_id=review.id, body="Can we talk?")
    db.session.add(message)
    db.session.flush()
    concern = UrgentConcern(review_id=review.id, source_kind="child_message", source_id=message.id, reason="word_list",
                            escalate_after=utcnow() + timedelta(hours=4))
    note = VoiceNote(booklet_id=booklet.id, question_key="about_me", mime_type="audio/webm", size_bytes=4,
                     data=b"\x1aE\xdf\xa3")
    word = ScreeningEntry(phrase="a local test phrase", language="en", category="physical_harm")
    db.session.add_all([concern, note, word])
    consultation = ask_parent(review, "Mum", "email", "mum@example.org")
    db.session.commit()
    return World(owner, intruder, manager, admin, child, review, booklet, concern, message, note, word, consultation)


def url_for_rule(app, endpoint: str, rule, world: World) -> str:
    values = {}
    for name in rule.arguments:
        if name not in PARAMS:
            pytest.fail(f"{endpoint} takes <{name}>: add how to fill it to PARAMS in {__file__}")
        values[name] = PARAMS[name](world)
    return app.url_map.bind("localhost").build(endpoint, values)


def client_for(app, user: StaffUser | None):
    client = app.test_client()
    if user is None:
        return client, f.session_csrf_token(client)
    response = f.sign_in(client, user)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client, f.csrf_token(client, "/account/password")


def call(client, token: str, method: str, url: str):
    if method == "GET":
        return client.get(url)
    # A real CSRF token, so the answer comes from the access check and not from CSRF protection.
    return client.open(url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token})


def goes_to_sign_in(response) -> bool:
    return response.status_code in (301, 302, 303) and urlsplit(response.headers["Location"]).path == "/sign-in"


def state_unchanged(world: World) -> list[str]:
    """What a refused request must not have changed."""
    db.session.expire_all()
    problems = []
    if not db.session.get(StaffUser, world.owner.id).active:
        problems.append("the owner's account was switched off")
    if not db.session.get(ScreeningEntry, world.word.id).active:
        problems.append("the screening entry was disabled")
    review = db.session.get(Review, world.review.id)
    if review.status != "planned" or review.participation_code:
        problems.append("the review was changed")
    if db.session.get(UrgentConcern, world.concern.id).acknowledged_at is not None:
        problems.append("the urgent concern was acknowledged")
    return problems


def test_every_route_is_declared(app):
    undeclared = sorted({endpoint for endpoint, _m, _r in staff_routes(app) if endpoint not in ACCESS})
    assert not undeclared, f"Declare who may use these staff routes in ACCESS ({__file__}): {undeclared}"
    known = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted(set(ACCESS) - known)
    assert not stale, f"ACCESS names routes that no longer exist: {stale}"
    assert not (set(ACCESS) & {e for e in known if is_public(e)}), "an endpoint is both public and in ACCESS"


def test_the_walk_covers_the_workspace_and_the_booklet(app):
    endpoints = {endpoint for endpoint, _m, _r in staff_routes(app)}
    assert {"reviews.my_children", "reviews.child_page", "staff.admin_home", "booklet_staff.read"} <= endpoints


def test_nobody_signed_in_is_sent_to_sign_in(app):
    world = build_world()
    client, token = client_for(app, None)
    failures = []
    for endpoint, method, rule in staff_routes(app):
        url = url_for_rule(app, endpoint, rule, world)
        response = call(client, token, method, url)
        if not (goes_to_sign_in(response) or response.status_code in (401, 404)):
            failures.append(f"{method} {url} ({endpoint}) -> {response.status_code}")
    assert not failures, "Reachable without signing in:\n" + "\n".join(failures)
    assert not state_unchanged(world)


@pytest.mark.parametrize("role", [IRO, MANAGER, ADMIN])
def test_refused_routes_answer_403_or_404(app, role):
    """IROs: no admin or manager pages, no other IRO's children; managers: no admin pages; admins: no children."""
    world = build_world()
    user = {IRO: world.intruder, MANAGER: world.manager, ADMIN: world.admin}[role]
    client, token = client_for(app, user)
    failures, walked = [], 0
    for endpoint, method, rule in staff_routes(app):
        access = ACCESS[endpoint]
        refused = role not in access.roles or (role == IRO and access.child_records)
        if not refused:
            continue
        walked += 1
        url = url_for_rule(app, endpoint, rule, world)
        response = call(client, token, method, url)
        if response.status_code not in (403, 404):
            failures.append(f"{method} {url} ({endpoint}) -> {response.status_code}")
    assert walked, "nothing was walked"
    assert not failures, f"A {role} reached:\n" + "\n".join(failures)
    assert not state_unchanged(world)


@pytest.mark.parametrize("role", [IRO, MANAGER, ADMIN])
def test_allowed_pages_open(app, role):
    """The other side: a page someone may use opens for them (GET only; nothing is changed)."""
    world = build_world()
    user = {IRO: world.owner, MANAGER: world.manager, ADMIN: world.admin}[role]
    client, token = client_for(app, user)
    failures = []
    for endpoint, method, rule in staff_routes(app):
        access = ACCESS[endpoint]
        if method != "GET" or role not in access.roles:
            continue
        url = url_for_rule(app, endpoint, rule, world)
        response = client.get(url)
        bad = {401, 403, 500} | ({404} if access.get_must_work else set())
        if response.status_code in bad or goes_to_sign_in(response):
            failures.append(f"GET {url} ({endpoint}) -> {response.status_code}")
    assert not failures, f"A {role} could not open:\n" + "\n".join(failures)


def test_an_iro_sees_another_iros_records_only_as_not_found(app):
    """The refusal for another IRO's child does not say the child exists."""
    world = build_world()
    client, _token = client_for(app, world.intruder)
    missing = client.get("/children/999999")
    theirs = client.get(f"/children/{world.child.id}")
    assert missing.status_code == theirs.status_code == 404
