"""The durable outbox: written with the change, sent later, retried with backoff, links scrubbed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.outbox import sender
from portal.outbox.models import OutboxMessage
from portal.outbox.services import OutboxError, queue_message, render_text
from portal.timeutil import as_utc, utcnow
from tests import factories as f


class FakeNotify:
    """Stands in for NotificationsAPIClient: fails `failures` times, then accepts."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.calls = []

    def _send(self, kind, **kwargs):
        self.calls.append((kind, kwargs))
        if self.failures:
            self.failures -= 1
            raise RuntimeError("503 Service Unavailable")
        return {"id": f"notify-{len(self.calls)}"}

    def send_email_notification(self, **kwargs):
        return self._send("email", **kwargs)

    def send_sms_notification(self, **kwargs):
        return self._send("sms", **kwargs)


@pytest.fixture
def notify(app, monkeypatch):
    fake = FakeNotify()
    app.config["NOTIFY_API_KEY"] = "test-key-00000000-0000-0000-0000-000000000000"
    monkeypatch.setenv("NOTIFY_TEMPLATE_BOOKLET_INVITATION_SMS", "tmpl-invite-sms")
    monkeypatch.setenv("NOTIFY_TEMPLATE_BOOKLET_INVITATION_EMAIL", "tmpl-invite-email")
    monkeypatch.setattr(sender, "notify_client", lambda: fake)
    return fake


def _invite(recipient="07700900982", channel="sms"):
    return queue_message(channel, recipient, "booklet_invitation",
                         {"first_name": "Leo", "url": "http://localhost/l/secret-token"})


def _make_due(message):
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_message_is_part_of_the_callers_transaction(app):
    f.authority()
    db.session.commit()
    _invite()
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0
    _invite()
    db.session.commit()
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.status == "pending" and message.attempts == 0


def test_only_first_name_and_link_are_accepted(app):
    with pytest.raises(OutboxError):
        queue_message("sms", "07700900982", "booklet_invitation",
                      {"first_name": "Leo", "url": "u", "date_of_birth": "2012-01-01"})
    with pytest.raises(OutboxError):
        queue_message("email", "iro@example.org", "urgent_notice", {"url": "u", "first_name": "Leo"})
    with pytest.raises(OutboxError):
        queue_message("pigeon", "x", "booklet_invitation", {})


def test_development_outbox_marks_sent_and_keeps_text_readable(app):
    message = _invite()
    db.session.commit()
    assert sender.send_pending() == 1
    db.session.refresh(message)
    assert message.status == "sent" and message.provider_id is None
    assert render_text(message) == ("Hi Leo, your review is coming up. Tell your IRO what you think: "
                                    "http://localhost/l/secret-token")


def test_notify_failure_backs_off_then_succeeds_and_scrubs_the_link(app, notify):
    notify.failures = 2
    message = _invite()
    db.session.commit()

    before = utcnow()
    assert sender.send_pending() == 1
    db.session.refresh(message)
    assert message.status == "pending" and message.attempts == 1
    assert "503" in message.last_error
    first_wait = as_utc(message.next_attempt_at) - before
    assert timedelta(seconds=55) < first_wait <= timedelta(minutes=1, seconds=5)
    # Not due yet: nothing is tried.
    assert sender.send_pending() == 0

    _make_due(message)
    before = utcnow()
    sender.send_pending()
    db.session.refresh(message)
    assert message.attempts == 2
    assert timedelta(minutes=1, seconds=55) < as_utc(message.next_attempt_at) - before <= timedelta(minutes=2, seconds=5)

    _make_due(message)
    sender.send_pending()
    db.session.refresh(message)
    assert message.status == "sent" and message.attempts == 3 and message.provider_id == "notify-3"
    assert message.last_error == ""
    # The token went to Notify, and is no longer stored here.
    kind, call = notify.calls[-1]
    assert kind == "sms" and call["phone_number"] == "07700900982" and call["template_id"] == "tmpl-invite-sms"
    assert call["personalisation"] == {"first_name": "Leo", "url": "http://localhost/l/secret-token"}
    assert "secret-token" not in str(message.personalisation)
    assert "secret-token" not in render_text(message)


def test_backoff_doubles_and_gives_up_after_eight_attempts(app, notify):
    assert [sender.backoff(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 8, 16]
    notify.failures = 100
    message = _invite(recipient="leo@example.org", channel="email")
    db.session.commit()
    for _ in range(sender.MAX_ATTEMPTS):
        _make_due(message)
        sender.send_pending()
        db.session.refresh(message)
    assert message.status == "failed" and message.attempts == 8
    assert "503" in message.last_error
    _make_due(message)
    assert sender.send_pending() == 0


def test_missing_template_id_is_an_error_kept_for_retry(app, notify):
    queue_message("email", "iro@example.org", "urgent_notice", {"url": "http://localhost/urgent"})
    db.session.commit()
    sender.send_pending()
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.status == "pending" and "NOTIFY_TEMPLATE_URGENT_NOTICE_EMAIL" in message.last_error


def test_flask_outbox_send_and_list(app, runner):
    _invite()
    db.session.commit()
    listed = runner.invoke(args=["outbox", "list"])
    assert listed.exit_code == 0 and "pending" in listed.output and "booklet_invitation" in listed.output
    assert "secret-token" not in listed.output
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Tried 1; pending 0, sent 1" in result.output
    assert db.session.scalar(db.select(OutboxMessage.status)) == "sent"


def test_dev_outbox_page_shows_text_to_the_right_people(app, client):
    iro = f.staff("iro")
    other = f.staff("iro")
    manager = f.staff("manager")
    review = f.review(f.child(iro, preferred_name="Leo"))
    queue_message("sms", "07700900982", "booklet_invitation", {"first_name": "Leo", "url": "http://localhost/l/t"},
                  review_id=review.id)
    db.session.commit()

    f.sign_in(client, manager)
    page = client.get("/outbox")
    assert page.status_code == 200
    assert "Hi Leo, your review is coming up" in page.get_data(as_text=True)
    # A manager sees that it went, never the child's link.
    assert "/l/t" not in page.get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": f.csrf_token(client, "/outbox")})

    f.sign_in(client, other)
    assert "Hi Leo" not in client.get("/outbox").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": f.csrf_token(client, "/outbox")})

    f.sign_in(client, iro)
    assert "http://localhost/l/t" in client.get("/outbox").get_data(as_text=True)
    app.config["NOTIFY_API_KEY"] = "live-key"
    assert client.get("/outbox").status_code == 404


def test_huey_tasks_are_registered_and_run_in_the_app(app):
    from portal import jobs

    # Each area registered its own jobs when its blueprint was registered.
    assert {"send_outbox", "escalate_concerns"} <= set(jobs.registered())
    huey = jobs.get_huey()
    names = {task.__name__ for task in huey._registry._periodic_tasks}
    assert {"send_outbox", "escalate_concerns"} <= names
    _invite()
    db.session.commit()
    # Immediate mode in tests: the task runs here, in this app.
    jobs.enqueue("send_outbox")
    assert db.session.scalar(db.select(OutboxMessage.status)) == "sent"
    assert jobs.run_now("escalate_concerns") == 0
