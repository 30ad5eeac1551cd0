"""The floor to compare the portal's autosave with: a bare Flask route doing one `INSERT … ON CONFLICT`.

Served by gunicorn (2 workers) on the same PostgreSQL schema as the portal in benchmarks.load_with_faults,
with the portal's engine settings (SQLAlchemy pool, pool_pre_ping). No sessions, CSRF, rate limits,
screening or audit: only what any save must cost (a request, a connection from the pool, one statement,
a commit, a JSON answer). The caller makes the table:

    CREATE TABLE bare_answer (key text PRIMARY KEY, value text NOT NULL, version integer NOT NULL)
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

TABLE = "CREATE TABLE bare_answer (key text PRIMARY KEY, value text NOT NULL, version integer NOT NULL)"
SAVE = text("INSERT INTO bare_answer (key, value, version) VALUES (:key, :value, 1) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = bare_answer.version + 1 "
            "RETURNING version")

app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1),
                       pool_pre_ping=True)


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/save")
def save():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("key"), str) or not isinstance(data.get("value"), str):
        return jsonify(status="invalid"), 400
    with engine.begin() as connection:
        version = connection.execute(SAVE, {"key": data["key"], "value": data["value"]}).scalar_one()
    return jsonify(status="saved", version=version)
