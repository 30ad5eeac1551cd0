"""Feedback for the IRO and the manager: collated answers, comments, themes, quotes, form versions."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback_manage", __name__)
