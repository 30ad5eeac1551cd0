"""One reminder after N working days (weekends and bank holidays skipped), never after a return, never
twice; the address deleted when the reminder window closes; the earlier link keeps working."""

from __future__ import annotations

from datetime import date

import pytest

from portal import jobs
from portal.extensions import db
from portal.feedback import invitations
from portal.feedback.invitations import forget_closed_contacts, invite, send_due_reminders
from portal.feedback.models import FeedbackInvitation
from portal.links.services import find_usable_link
from portal.outbox.models import OutboxMessage
from tests import factories as f

# Friday 28 August 2026; Monday 31 August is the summer bank holiday. Five working days later:
# Tue 1, Wed 2, Thu 3, Fri 4 September, then (over the weekend) Monday 7 September.
SENT_ON = date(2026, 8, 28)
DUE_ON = date(2026, 9, 7)


@pytest.fixture
def sent_on_friday(monkeypatch):
    monkeypatch.setattr(invitations, "london_today", lambda: SENT_ON)


def _held_review():
    iro = f.staff("iro")
    return f.review(f.child(iro, age=14), days_ahead=-1, status="held")


def _token(message: OutboxMessage) -> str:
    return message.personalisation["url"].rsplit("/", 1)[-1]


def _messages() -> list[OutboxMessage]:
    return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_reminder_is_due_after_five_working_days_past_a_bank_holiday_and_a_weekend(app, sent_on_friday):
    review = _held_review()
    invited = invite(review, "parent_carer", "email", "mum@example.org", "Mum")
    db.session.commit()
    assert invited.invitation.remind_on == DUE_ON
    first_link_id = invited.invitation.link_id

    assert send_due_reminders(today=date(2026, 9, 4)) == 0
    assert send_due_reminders(today=DUE_ON) == 1
    invitation = db.session.get(FeedbackInvitation, invited.invitation.id)
    first, reminder = _messages()
    assert (first.template, reminder.template) == ("feedback_invitation", "feedback_reminder")
    assert reminder.recipient == "mum@example.org" and set(reminder.personalisation) == {"url"}
    assert _token(first) != _token(reminder)
    # The reminder is a new link for the same person; the one they already have keeps working.
    new_link = find_usable_link(_token(reminder), purpose="feedback")
    old_link = find_usable_link(_token(first), purpose="feedback")
    assert old_link is not None and old_link.id == first_link_id
    assert new_link.recipient_ref == old_link.recipient_ref == "parent-1" and invitation.link_id == new_link.id
    # Then the address (and how the IRO knew them) is deleted.
    assert invitation.reminded_at is not None and invitation.contact is None and invitation.description is None
    assert invitation.contact_deleted_at is not None

    # Never twice.
    assert send_due_reminders(today=date(2026, 9, 8)) == 0
    assert len(_messages()) == 2


def test_never_after_a_return(app, sent_on_friday):
    review = _held_review()
    invited = invite(review, "professional", "sms", "07700 900982")
    invited.invitation.returned = True
    db.session.commit()
    assert send_due_reminders(today=DUE_ON) == 0
    assert [m.template for m in _messages()] == ["feedback_invitation"]
    # The window closed with the return: the number goes.
    assert forget_closed_contacts(today=date(2026, 8, 29)) == 1
    invitation = db.session.get(FeedbackInvitation, invited.invitation.id)
    assert invitation.contact is None and invitation.contact_deleted_at is not None


def test_printed_and_handed_over_invitations_get_no_reminder(app, sent_on_friday):
    review = _held_review()
    invite(review, "professional", "print", description="School nurse")
    invite(review, "parent_carer", "handover")
    db.session.commit()
    assert send_due_reminders(today=date(2026, 12, 1)) == 0
    assert _messages() == []


def test_contact_kept_while_the_window_is_open_and_deleted_when_it_closes(app, sent_on_friday):
    review = _held_review()
    waiting = invite(review, "parent_carer", "email", "dad@example.org", "Dad").invitation
    db.session.commit()
    assert forget_closed_contacts(today=date(2026, 9, 4)) == 0
    assert db.session.get(FeedbackInvitation, waiting.id).contact == "dad@example.org"
    # The day passed without a reminder (the job did not run that day): the address still goes.
    assert forget_closed_contacts(today=date(2026, 9, 8)) == 1
    invitation = db.session.get(FeedbackInvitation, waiting.id)
    assert (invitation.contact, invitation.description) == (None, None)
    assert send_due_reminders(today=date(2026, 9, 8)) == 0


def test_the_daily_job_is_registered(app):
    job = jobs.registered()["feedback_reminders_and_forgetting"]
    assert job.schedule == {"hour": "8", "minute": "5"}
