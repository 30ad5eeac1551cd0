"""The letter's rules: drafting, saving with a version check, issuing, corrections, history, due dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.letters import services
from portal.letters.models import IssuedVersionChanged, LetterAction, LetterVersion
from portal.timeutil import LONDON, today, utcnow
from tests import factories


def _held_review(held: date | None = None, iro=None, **child_fields):
    iro = iro or factories.staff("iro", name="Priya Shah", phone="0100 000 9999")
    the_child = factories.child(iro, preferred_name=child_fields.pop("preferred_name", "Ellie"),
                                came_into_care=child_fields.pop("came_into_care", date(2024, 1, 8)), **child_fields)
    when = datetime.combine(held or (today() - timedelta(days=3)), time(10), tzinfo=LONDON)
    review = factories.review(the_child, status="held", meeting_at=when, held_at=when)
    return review, iro


def _issued_letter(review, iro, **fields):
    version = services.draft(review, iro)
    services.save_draft(version, version.version_counter, going_well="You are doing well at school.", **fields)
    return services.issue(version, iro)


def test_version_one_is_pre_filled(app):
    review, iro = _held_review(date(2026, 6, 1))
    version = services.draft(review, iro, told_us=[("School", "I like art  and   PE"), ("Home", ""),
                                                    ("", "I'd rather tell my IRO myself")])
    db.session.commit()
    assert version.number == 1 and version.status == "draft"
    assert version.greeting == "Dear Ellie"
    assert version.what_you_told_us == "School: I like art and PE\nI'd rather tell my IRO myself"
    # Second review after one held on 1 June 2026: within 3 months (reg 33(b)), 1 September 2026.
    assert version.next_review_text == "Your next review will be by 1 September 2026."
    assert "Priya Shah" in version.contact_text and "0100 000 9999" in version.contact_text
    # Asking again gives the same draft, not another.
    assert services.draft(review, iro).id == version.id


def test_a_planned_next_review_gives_its_day(app):
    review, iro = _held_review(date(2026, 6, 1))
    factories.review(review.child, meeting_at=datetime(2026, 8, 20, 10, tzinfo=LONDON))
    assert services.draft(review, iro).next_review_text == "Your next review is on 20 August 2026."


def test_no_letter_before_the_review_is_held(app):
    iro = factories.staff("iro")
    review = factories.review(factories.child(iro))
    with pytest.raises(services.ReviewNotHeld):
        services.draft(review, iro)


def test_a_save_from_a_stale_page_is_a_conflict_and_saves_nothing(app):
    review, iro = _held_review()
    version = services.draft(review, iro)
    seen = version.version_counter
    first = services.save_draft(version, seen, worries="People worry about school.")
    assert isinstance(first, services.Saved) and first.counter == seen + 1
    stale = services.save_draft(version, seen, worries="Overwritten?")
    assert isinstance(stale, services.Conflict) and stale.counter == seen + 1
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(LetterVersion, version.id)
    assert stored.worries == "People worry about school."
    assert stored.version_counter == seen + 1


def test_save_refuses_unknown_parts_and_too_much_text(app):
    review, iro = _held_review()
    version = services.draft(review, iro)
    with pytest.raises(services.LetterError):
        services.save_draft(version, version.version_counter, status="issued")
    with pytest.raises(services.LetterError):
        services.save_draft(version, version.version_counter, worries="x" * (services.MAX_FIELD_CHARS + 1))


def test_issue_fixes_the_version_with_author_and_time(app):
    review, iro = _held_review()
    version = services.draft(review, iro)
    services.set_actions(version, [("Visit Nana", "Your social worker", date(2026, 12, 20)), ("", "", None),
                                   {"what": "Choose a club", "who": "You and Mum"}])
    issued = services.issue(version, iro)
    db.session.commit()
    assert issued.status == "issued" and issued.issued_by_id == iro.id
    assert utcnow() - issued.issued_at < timedelta(minutes=1)
    assert [(a.position, a.what, a.who) for a in issued.actions] == [
        (1, "Visit Nana", "Your social worker"), (2, "Choose a club", "You and Mum")]
    assert services.latest_issued(review).id == issued.id
    with pytest.raises(services.VersionIssued):
        services.issue(issued, iro)


def test_an_issued_version_never_changes(app):
    review, iro = _held_review()
    issued = _issued_letter(review, iro)
    db.session.commit()
    with pytest.raises(services.VersionIssued):
        services.save_draft(issued, issued.version_counter, worries="changed")
    with pytest.raises(services.VersionIssued):
        services.set_actions(issued, [("New", "Me", None)])
    # Even past the services, the ORM refuses to write to it.
    issued.worries = "changed behind the services' back"
    with pytest.raises(IssuedVersionChanged):
        db.session.flush()
    db.session.rollback()
    issued = services.latest_issued(review)
    db.session.add(LetterAction(version_id=issued.id, version=issued, position=9, what="sneaked in", who=""))
    with pytest.raises(IssuedVersionChanged):
        db.session.flush()
    db.session.rollback()
    assert services.latest_issued(review).worries == ""


def test_a_correction_needs_a_reason_and_is_version_two(app):
    review, iro = _held_review()
    first = _issued_letter(review, iro)
    correction = services.draft(review, iro)
    assert correction.number == 2 and correction.going_well == first.going_well
    services.save_draft(correction, correction.version_counter, going_well="You are doing really well at school.")
    with pytest.raises(services.ReasonNeeded):
        services.issue(correction, iro, reason="   ")
    second = services.issue(correction, iro, reason="Ellie asked us to say more about school")
    db.session.commit()
    assert second.number == 2 and second.correction_reason == "Ellie asked us to say more about school"
    # The child reads the newest; the history lists both, newest first.
    assert services.latest_issued(review).id == second.id
    assert [v.number for v in services.history(review)] == [2, 1]
    assert services.latest_issued(review).going_well == "You are doing really well at school."


def test_the_child_reads_nothing_while_only_a_draft_exists(app):
    review, iro = _held_review()
    services.draft(review, iro)
    assert services.latest_issued(review) is None and services.history(review) == []


def test_differences_between_versions(app):
    review, iro = _held_review()
    version = services.draft(review, iro)
    services.save_draft(version, version.version_counter, who_came="Mum\nPriya, your social worker")
    services.set_actions(version, [("Visit Nana", "Social worker", None)])
    first = services.issue(version, iro)
    correction = services.draft(review, iro)
    services.save_draft(correction, correction.version_counter, who_came="Mum\nNana\nPriya, your social worker")
    services.set_actions(correction, [("Visit Nana", "Social worker", date(2027, 1, 10))])
    second = services.issue(correction, iro, reason="Nana came too")
    changes = {d.field: d for d in services.differences(first, second)}
    assert changes["who_came"].changed
    assert changes["who_came"].lines == (("same", "Mum"), ("added", "Nana"), ("same", "Priya, your social worker"))
    assert changes["actions"].changed
    assert ("removed", "Visit Nana — Social worker") in changes["actions"].lines
    assert ("added", "Visit Nana — Social worker — 2027-01-10") in changes["actions"].lines
    assert not changes["greeting"].changed and not changes["worries"].changed
    assert list(changes)[:6] == ["greeting", "who_came", "what_you_told_us", "going_well", "worries", "actions"]


def test_due_date_counts_working_days_across_bank_holidays(app):
    # Held Friday 19 December 2025: Christmas Day, Boxing Day and New Year's Day do not count.
    review, _iro = _held_review(date(2025, 12, 19))
    assert services.due_date(review) == date(2026, 1, 21)


def test_due_date_follows_the_authoritys_setting(app):
    factories.authority(record_working_days=10)
    review, _iro = _held_review(date(2025, 12, 19))
    assert services.due_date(review) == date(2026, 1, 7)


def test_lateness_before_issue(app):
    review, _iro = _held_review(date(2025, 12, 19))  # due 21 January 2026
    assert services.lateness(review, date(2026, 1, 12)) is None  # 7 working days left
    assert services.lateness(review, date(2026, 1, 14)) == "due soon"  # 5 working days left
    assert services.lateness(review, date(2026, 1, 21)) == "due soon"  # the day it is due
    assert services.lateness(review, date(2026, 1, 22)) == "late"


def test_lateness_once_issued_counts_the_first_version(app):
    late_review, iro = _held_review(date(2025, 12, 19))
    _issued_letter(late_review, iro)
    assert services.lateness(late_review, date(2026, 1, 5)) == "issued late"
    recent, _same = _held_review(today() - timedelta(days=3), iro=iro, preferred_name="Kai")
    _issued_letter(recent, iro)
    assert services.lateness(recent) == "issued on time"
    correction = services.draft(recent, iro)
    services.issue(correction, iro, reason="A date was wrong")
    assert services.lateness(recent) == "issued on time"


def test_no_lateness_for_a_review_not_held(app):
    iro = factories.staff("iro")
    review = factories.review(factories.child(iro))
    assert services.due_date(review) is None and services.lateness(review) is None


def test_the_database_holds_at_most_one_draft_per_letter(app):
    review, iro = _held_review()
    version = services.draft(review, iro)
    db.session.commit()
    db.session.add(LetterVersion(letter_id=version.letter_id, number=2, status="draft", author_id=iro.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_welsh_speaking_child_gets_no_english_only_failure(app):
    # The pre-filled words follow the child's language (English until the Welsh catalogue has them).
    review, iro = _held_review(preferred_language="cy", preferred_name="Nia")
    version = services.draft(review, iro)
    assert "Nia" in version.greeting and version.next_review_text
