"""My IRO: who my IRO is, and sending them a message at any time."""

from flask import Blueprint

bp = Blueprint("my_iro", __name__)
