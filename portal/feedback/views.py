"""Feedback forms for young people, parents and carers, and professionals, reached through a private link."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback", __name__)
