"""The IRO's side of feedback: who to ask when a review is held, sending, printing, handing over."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback_staff", __name__)
