"""The reviews area's write services, called directly (the caller commits), on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from markupsafe import Markup

from portal.audit.models import AuditEvent
from portal.config import PROJECT_ROOT
from portal.extensions import db
from portal.reviews import hooks, participation, services, workspace
from portal.reviews.models import Child, Review
from portal.reviews.services import BankHolidayDataExhausted, bank_holiday_data_range, review_due_date
from portal.timeutil import LONDON, as_utc, today
from tests import factories as f


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock time in England, as the forms give it."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def events(record_type: str, record_id: int) -> list[tuple[str, str]]:
    return [(e.action, e.detail) for e in db.session.scalars(
        db.select(AuditEvent).filter_by(record_type=record_type, record_id=record_id).order_by(AuditEvent.id))]


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# --- add_child ----------------------------------------------------------------------------------------


def test_add_child_keeps_what_was_typed_tidily_and_audits_it(app):
    iro = f.staff("iro")
    child = services.add_child(iro=iro, preferred_name="  Zara ", first_name=" ", date_of_birth=date(2016, 3, 27),
                               came_into_care=date(2025, 11, 4), pronouns=" she/her ", preferred_language="cy",
                               words_to_use=" family time ", case_reference="  ")
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(Child, child.id)
    assert (saved.preferred_name, saved.first_name, saved.pronouns, saved.words_to_use, saved.case_reference) == \
        ("Zara", None, "she/her", "family time", None)
    assert (saved.iro_id, saved.preferred_language, saved.date_of_birth) == (iro.id, "cy", date(2016, 3, 27))
    assert events("child", child.id) == [("child_added", "")]


@pytest.mark.parametrize("who", ["nobody", "manager", "admin", "switched_off"])
def test_add_child_needs_an_active_iro(app, who):
    iro = None if who == "nobody" else f.staff("iro" if who == "switched_off" else who)
    if who == "switched_off":
        iro.active = False
    with pytest.raises(services.NotAnIro):
        services.add_child(iro=iro, preferred_name="Zara", date_of_birth=date(2016, 1, 1),
                           came_into_care=date(2025, 1, 1))
    assert count(Child) == 0


def test_add_child_refuses_a_blank_name_and_care_before_birth(app):
    iro = f.staff("iro")
    with pytest.raises(services.ReviewsError):
        services.add_child(iro=iro, preferred_name="  ", date_of_birth=date(2016, 1, 1), came_into_care=date(2025, 1, 1))
    with pytest.raises(services.ReviewsError):
        services.add_child(iro=iro, preferred_name="Zara", date_of_birth=date(2016, 1, 1),
                           came_into_care=date(2015, 12, 31))
    assert count(Child) == 0


def test_active_iros_are_offered_by_name(app):
    f.staff("iro", name="Zed"), f.staff("iro", name="Amy"), f.staff("manager", name="Bea")
    f.staff("iro", name="Gone").active = False
    assert [iro.name for iro in services.active_iros()] == ["Amy", "Zed"]


# --- plan_review --------------------------------------------------------------------------------------


def test_plan_review_numbers_the_review_from_those_held(app):
    kid = f.child(f.staff("iro"), came_into_care=today() - timedelta(days=400))
    first = services.plan_review(kid, at(today() + timedelta(days=3), 14, 30), "  At school ")
    db.session.commit()
    assert (first.number, first.status, first.place, first.iro_id, first.child_id) == \
        ("first", "planned", "At school", kid.iro_id, kid.id)
    assert as_utc(first.meeting_at).astimezone(LONDON).time() == time(14, 30)
    assert events("review", first.id) == [("review_planned", "first")]

    f.review(kid, status="held", number="first", days_ahead=-300)
    assert services.plan_review(kid, at(today() + timedelta(days=4))).number == "second"
    f.review(kid, status="held", number="second", days_ahead=-200)
    f.review(kid, status="cancelled", number="subsequent", days_ahead=-100)
    assert services.plan_review(kid, at(today() + timedelta(days=5))).number == "subsequent"


def test_plan_review_after_the_due_date_is_saved_and_flagged(app):
    kid = f.child(f.staff("iro"), came_into_care=today() - timedelta(days=90))
    review = services.plan_review(kid, at(today() + timedelta(days=10)))
    db.session.commit()
    due = review_due_date(came_into_care=kid.came_into_care, previous_review_held=None, reviews_held=0)
    assert workspace.lateness(review) == workspace.Lateness(due=due, days=(today() + timedelta(days=10) - due).days)


def test_plan_review_past_the_bank_holiday_data_saves_nothing(app):
    kid = f.child(f.staff("iro"))
    beyond = date(bank_holiday_data_range()[1].year + 1, 3, 15)
    with pytest.raises(BankHolidayDataExhausted):
        services.plan_review(kid, at(beyond))
    with pytest.raises(ValueError):
        services.plan_review(kid, datetime.combine(today() + timedelta(days=3), time(10)))  # no time zone
    assert count(Review) == 0


# --- record_held, record_cancelled, record_participation ---------------------------------------------


def test_record_held_with_participation_records_both(app):
    review = f.review(f.child(f.staff("iro")), days_ahead=-1)
    held_at = at(today() - timedelta(days=1), 10, 15)
    services.record_held(review, held_at, participation_code="PN6", chairing="co-chaired")
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(Review, review.id)
    assert (saved.status, saved.participation_code, saved.chairing, saved.cancelled_reason) == \
        ("held", "PN6", "co-chaired", "")
    assert as_utc(saved.held_at) == held_at
    assert events("review", review.id) == [("review_held", "PN6"), ("participation_recorded", "PN6:co-chaired")]


def test_record_held_without_participation_leaves_it_to_later(app):
    review = f.review(f.child(f.staff("iro")), days_ahead=0, cancelled_reason="old")
    services.record_held(review, at(today(), 0, 0))
    assert (review.status, review.participation_code, review.chairing, review.cancelled_reason) == \
        ("held", None, None, "")
    assert events("review", review.id) == [("review_held", "")]


def test_record_held_refuses_the_future_and_unknown_codes_and_changes_nothing(app):
    review = f.review(f.child(f.staff("iro")), days_ahead=2)
    with pytest.raises(services.ReviewsError):
        services.record_held(review, at(today() + timedelta(days=1)))
    with pytest.raises(services.ReviewsError):
        services.record_held(review, at(today()), participation_code="PN9")
    with pytest.raises(services.ReviewsError):
        services.record_held(review, at(today()), participation_code="PN1", chairing="the cat")
    with pytest.raises(ValueError):
        services.record_held(review, datetime.combine(today(), time(9)))
    assert (review.status, review.held_at, review.participation_code) == ("planned", None, None)
    assert events("review", review.id) == []


def test_record_cancelled_needs_a_reason(app):
    review = f.review(f.child(f.staff("iro")), days_ahead=3)
    with pytest.raises(services.ReviewsError):
        services.record_cancelled(review, "   ")
    assert review.status == "planned"
    review.held_at = at(today())
    services.record_cancelled(review, "  Moved to a new home ")
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(Review, review.id)
    assert (saved.status, saved.cancelled_reason, saved.held_at) == ("cancelled", "Moved to a new home", None)
    assert events("review", review.id) == [("review_cancelled", "")]


def test_record_participation_only_once_held(app):
    review = f.review(f.child(f.staff("iro")), days_ahead=-1)
    with pytest.raises(services.ReviewNotHeld):
        services.record_participation(review, "PN1", "none")
    review.status = "held"
    with pytest.raises(services.ReviewsError):
        services.record_participation(review, "PN8", "none")
    assert review.participation_code is None
    services.record_participation(review, "PN1", "none")
    services.record_participation(review, "PN2", "chaired")
    db.session.commit()
    assert (review.participation_code, review.chairing) == ("PN2", "chaired")
    assert events("review", review.id) == [("participation_recorded", "PN1:none"),
                                           ("participation_recorded", "PN2:chaired")]


# --- the PN suggestion and the hooks ------------------------------------------------------------------


def test_a_child_under_four_is_suggested_pn0_without_any_other_area(app, monkeypatch):
    monkeypatch.setattr(hooks, "_suggestions", {})
    iro = f.staff("iro")
    assert participation.suggested_code(f.review(f.child(iro, age=2), days_ahead=5)) == "PN0"
    assert participation.suggested_code(f.review(f.child(iro, age=9), days_ahead=5)) is None
    hooks.register_participation_suggestion("test", lambda review: "PN7")
    assert participation.suggested_code(f.review(f.child(iro, age=9), days_ahead=5)) == "PN7"


def test_hooks_add_panels_and_statuses_and_registering_again_replaces(app, monkeypatch):
    monkeypatch.setattr(hooks, "_panels", {})
    review = f.review(f.child(f.staff("iro")))
    hooks.register_review_panel("test", lambda r: f"<p>old {r.id}</p>")
    hooks.register_review_panel("test", lambda r: f"<p>panel {r.id}</p>", status=lambda r: "<b>ok</b>",
                                status_label="Test")
    hooks.register_review_panel("nothing", lambda r: None)
    assert hooks.review_panels(review) == [Markup(f"<p>panel {review.id}</p>")]
    assert hooks.review_statuses(review) == [("Test", Markup("<b>ok</b>"))]
    with pytest.raises(ValueError):
        hooks.register_review_panel("unlabelled", lambda r: "", status=lambda r: "")


# --- the reviews area stands on its own ---------------------------------------------------------------

FEATURE_AREAS = ("booklet", "safeguarding", "links", "outbox", "feedback", "letters", "insights", "jobs", "demo",
                 "cli", "site")


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name


def test_the_reviews_area_imports_no_feature_area_and_hides_no_import():
    for path in sorted(Path(PROJECT_ROOT, "portal", "reviews").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for _node, module in _imports(tree):
            assert not any(module == f"portal.{area}" or module.startswith(f"portal.{area}.")
                           for area in FEATURE_AREAS), f"{path.name} imports {module}"
        top_level = {id(node) for node in tree.body}
        hidden = [module for node, module in _imports(tree) if id(node) not in top_level]
        assert not hidden, f"{path.name} imports inside a function: {hidden}"
