"""`flask outbox send`: send what is waiting."""

import click


@click.group()
def outbox() -> None:
    """Messages waiting to be sent."""
