"""Voice notes: record instead of typing."""

from flask import Blueprint

bp = Blueprint("voice", __name__)
