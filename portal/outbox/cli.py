"""`flask outbox send` and `flask outbox list`: send or show what is waiting."""

from __future__ import annotations

import click

from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.sender import send_pending
from portal.timeutil import as_utc


@click.group()
def outbox() -> None:
    """Messages waiting to be sent."""


@outbox.command("send")
@click.option("--limit", default=50, show_default=True, help="Most messages to try in this run.")
def send(limit: int) -> None:
    """Send the messages that are due, once."""
    tried = send_pending(limit=limit)
    counts = dict(db.session.execute(db.select(OutboxMessage.status, db.func.count())
                                     .group_by(OutboxMessage.status)).all())
    click.echo(f"Tried {tried}; pending {counts.get('pending', 0)}, sent {counts.get('sent', 0)}, "
               f"failed {counts.get('failed', 0)}")


@outbox.command("list")
@click.option("--status", type=click.Choice(["pending", "sent", "failed", "all"]), default="all")
def list_messages(status: str) -> None:
    """Show messages, newest first (recipient and kind only, never the link)."""
    query = db.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
    if status != "all":
        query = query.where(OutboxMessage.status == status)
    for message in db.session.scalars(query):
        when = as_utc(message.sent_at or message.next_attempt_at)
        click.echo(f"{message.id:6} {message.status:8} {message.channel:5} {message.template:20} "
                   f"{message.recipient:32} attempts={message.attempts} {when:%Y-%m-%d %H:%M}Z"
                   + (f" error={message.last_error}" if message.last_error else ""))
