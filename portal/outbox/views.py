"""The development outbox that staff can read."""

from flask import Blueprint

bp = Blueprint("outbox", __name__)
