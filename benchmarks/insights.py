"""The collated views at scale: `python -m benchmarks.insights` (run by `make bench`).

Generates, on a throwaway SQLite database and a throwaway PostgreSQL schema (both built by the real
migrations), five reporting years of one IRO service: 30 IROs in 4 teams, 2,000 children with about two reviews
a year each, booklets (invited, opened, returned) with their answers, feedback invitations, responses and
answers (comments with sentiment and themes), parents' consultations with their answers: 1,000,000 rows in all
across the narrow answer tables (booklet_answer, feedback_answer, consultation_answer). The rows go in by bulk
inserts (executemany on SQLite, COPY on PostgreSQL), never through the ORM one by one.

Then, on each database in the same run, times
- the year's whole dashboard: every section's `compute` for the whole service over the latest full reporting
  year, as a manager sees it (median of 3 after one warm-up), with each section's time and its slowest
  statements;
- the bare GROUP BY over the answer tables (`SELECT question_key, value_choice, count(*) ... GROUP BY 1, 2`
  over feedback_answer and over booklet_answer), median of 3 after one warm-up;
and reports the ratio. Goal: the whole dashboard within 2x the bare queries.

Writes the "insights" section of bench/results.json. Always exits 0: it is a report.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.results import report_step

HERE = Path(__file__).resolve().parent
ANSWERS_WANTED = 1_000_000
CHILDREN = 2_000
IROS = 30
TEAMS = 4
YEARS = 5
RUNS = 3
RATIO_GOAL = 2.0
SEED = 13

BARE_QUERIES = {
    "feedback_answer": "SELECT question_key, value_choice, count(*) FROM feedback_answer GROUP BY 1, 2",
    "booklet_answer": "SELECT question_key, value_choice, count(*) FROM booklet_answer GROUP BY 1, 2",
}

COMMENT_WORDS = ("The meeting was good and I was listened to.", "The report came late and was not shared.",
                 "Nobody explained what would happen next.", "Really helpful, thank you.",
                 "It was fine.", "I did not like how long it took.")
THEMES = ("listened_to", "reports_late", "explained", None)


# --- Generating the rows ---------------------------------------------------------------------------

class Rows:
    """Rows per table, in insert order: {table: (columns, [tuple, ...])}."""

    def __init__(self) -> None:
        self.tables: dict[str, tuple[tuple[str, ...], list[tuple]]] = {}

    def add(self, table: str, columns: tuple[str, ...], row: tuple) -> None:
        self.tables.setdefault(table, (columns, []))[1].append(row)

    def count(self, table: str) -> int:
        return len(self.tables.get(table, ((), []))[1])


def _question_catalogues():
    """The booklet sets, the feedback forms and the parents' consultation, as (key, kind, section, options)."""
    from portal.booklet.questions import QUESTION_SETS
    from portal.consultation import questions as consultation_questions
    from portal.feedback import questions as feedback_questions
    from portal.questionnaires.kinds import kind as kind_of

    def options_of(kind: str, options) -> list[str]:
        if options:
            return list(options)
        try:
            return [key for key, _label in kind_of(kind).default_options]
        except (KeyError, ValueError):
            return []

    booklets = {set_id: [(q.key, q.kind, section.key, options_of(q.kind, [o.key for o in q.options]))
                         for section in question_set.sections for q in section.questions]
                for set_id, question_set in QUESTION_SETS.items()}
    feedback = {group: [(q["key"], q["kind"], bool(q.get("comment")),
                         options_of(q["kind"], [o["key"] for o in q.get("options") or []]))
                        for q in feedback_questions.built_in_questions(group)]
                for group in ("young_person", "parent_carer", "professional")}
    consultation_set = consultation_questions.QUESTION_SETS[consultation_questions.CURRENT_SET]
    consultation = [(q.key, q.kind, section.key, options_of(q.kind, [o.key for o in q.options]))
                    for section in consultation_set.sections for q in section.questions]
    return booklets, feedback, consultation_set.id, consultation


def _staff_and_forms(app) -> tuple[list[int], dict[int, int], dict[str, int], int]:
    """Teams, 30 IROs and a manager through the ORM (a few rows), and each group's feedback form version 1."""
    from portal.extensions import db
    from portal.feedback import questions as feedback_questions
    from portal.staff.models import StaffUser, Team

    with app.app_context():
        teams = [Team(name=f"Team {n}") for n in range(1, TEAMS + 1)]
        db.session.add_all(teams)
        db.session.flush()
        iros = [StaffUser(email=f"iro{n}@bench.example", name=f"IRO {n}", role="iro", team_id=teams[n % TEAMS].id)
                for n in range(IROS)]
        manager = StaffUser(email="manager@bench.example", name="Manager Bench", role="manager")
        db.session.add_all([*iros, manager])
        db.session.flush()
        forms = {group: feedback_questions.current_version(group).id
                 for group in ("young_person", "parent_carer", "professional")}
        db.session.commit()
        return [iro.id for iro in iros], {iro.id: iro.team_id for iro in iros}, forms, manager.id


def generate(iro_ids: list[int], forms: dict[str, int], last_year_start: int) -> Rows:
    """Every row of the service's five years, ids given here (the tables are empty)."""
    from portal.booklet.questions import CURRENT_SET

    booklet_sets, feedback_forms, consultation_set, consultation_questions = _question_catalogues()
    rng = random.Random(SEED)
    rows = Rows()
    first_day = date(last_year_start - YEARS + 1, 4, 1)
    last_day = date(last_year_start + 1, 3, 31)
    span = (last_day - first_day).days
    now = datetime(last_year_start + 1, 6, 1, tzinfo=UTC)
    review_id = booklet_id = answer_id = response_id = invitation_id = feedback_answer_id = 0
    consultation_id = consultation_answer_id = letter_id = 0
    letter_cols = ("id", "letter_id", "number", "status", "greeting", "who_came", "what_you_told_us", "going_well",
                   "worries", "next_review_text", "contact_text", "author_id", "issued_by_id", "issued_at",
                   "correction_reason", "created_at", "updated_at", "version_counter")
    child_cols = ("id", "preferred_name", "first_name", "date_of_birth", "came_into_care", "pronouns",
                  "preferred_language", "words_to_use", "case_reference", "iro_id", "created_at")
    review_cols = ("id", "child_id", "iro_id", "meeting_at", "place", "number", "status", "participation_code",
                   "chairing", "held_at", "cancelled_reason", "created_at")
    booklet_cols = ("id", "review_id", "version", "question_set", "version_chosen_by", "invited_at", "opened_at",
                    "started_at", "returned_at", "withdrawn_at", "created_at")
    answer_cols = ("id", "booklet_id", "question_key", "state", "value_choice", "value_text", "question_set",
                   "section", "version", "updated_at", "urgent")
    invitation_cols = ("id", "review_id", "group", "recipient_ref", "channel", "sent_at", "returned")
    response_cols = ("id", "review_id", "group", "meeting_kind", "agency", "form_version_id", "week_starting")
    feedback_answer_cols = ("id", "response_id", "question_key", "state", "value_choice", "value_text", "sentiment",
                            "sentiment_corrected", "themes", "themes_corrected", "fit_to_quote", "urgent")
    consultation_cols = ("id", "review_id", "recipient_ref", "description", "invited_at", "opened_at",
                         "submitted_at", "created_at")
    consultation_answer_cols = ("id", "consultation_id", "question_key", "state", "value_choice", "value_text",
                                "question_set", "section", "version", "updated_at", "urgent")
    for child in range(1, CHILDREN + 1):
        iro = iro_ids[child % len(iro_ids)]
        born = first_day - timedelta(days=rng.randint(3 * 365, 15 * 365))
        rows.add("child", child_cols, (child, f"Child {child}", None, born, first_day - timedelta(days=400), "", "en",
                                       "", None, iro, now))
        day = rng.randint(0, 180)
        number = 0
        while day <= span:
            meeting_day = first_day + timedelta(days=day)
            meeting_at = datetime(meeting_day.year, meeting_day.month, meeting_day.day, rng.choice((9, 10, 13, 14)),
                                  rng.choice((0, 30)), tzinfo=UTC)
            day += rng.randint(150, 200)  # about two reviews a year
            review_id += 1
            cancelled = rng.random() < 0.04
            held = not cancelled
            rows.add("review", review_cols, (
                review_id, child, iro, meeting_at, "", ("first", "second", "subsequent")[min(number, 2)],
                "cancelled" if cancelled else "held", None if cancelled else rng.choice(("PN1", "PN1", "PN2", "PN3",
                                                                                           "PN4", "PN0")),
                None if cancelled else rng.choice(("none", "chaired", "co-chaired")),
                meeting_at if held else None, "", meeting_at - timedelta(days=40)))
            number += 1
            age = (meeting_day - born).days // 365
            # The booklet: most reviews of children 4 and over; most invited booklets are returned.
            if age >= 4 and rng.random() < 0.85:
                version = "4-7" if age < 8 else ("4-11" if age < 12 else "12-17")
                set_id = CURRENT_SET[version]
                invited = meeting_at - timedelta(days=rng.randint(10, 25), hours=rng.randint(0, 8))
                opened = invited + timedelta(hours=rng.randint(1, 90)) if rng.random() < 0.9 else None
                returned = (opened + timedelta(days=rng.randint(1, 6))
                            if opened is not None and rng.random() < 0.85 else None)
                booklet_id += 1
                rows.add("booklet", booklet_cols, (booklet_id, review_id, version, set_id, "age", invited, opened,
                                                   opened, returned, None, invited))
                if opened is not None:
                    for key, kind, section, options in booklet_sets[set_id]:
                        skipped = rng.random() < 0.08
                        answer_id += 1
                        if options and kind != "checkboxes":
                            choice, text = (None if skipped else rng.choice(options)), None
                        else:
                            choice, text = None, (None if skipped else f"Some words for {key}")
                        rows.add("booklet_answer", answer_cols, (
                            answer_id, booklet_id, key, "skipped" if skipped else "answered", choice, text, set_id,
                            section, 1, opened, False))
            if not held:
                continue
            # The letter to the child: issued for most held reviews, most within the authority's working days.
            if rng.random() < 0.9:
                letter_id += 1
                issued = meeting_at + timedelta(days=rng.choice((3, 5, 8, 12, 30)))
                rows.add("letter", ("id", "review_id", "created_at"), (letter_id, review_id, meeting_at))
                rows.add("letter_version", letter_cols, (
                    letter_id, letter_id, 1, "issued", "Dear you", "", "", "", "", "", "", iro, iro, issued, None,
                    meeting_at, issued, 1))
            # Feedback: the young person, one or two parents or carers, one to three professionals.
            week = meeting_day - timedelta(days=meeting_day.weekday())
            groups = ["young_person"] * (age >= 8) + ["parent_carer"] * rng.randint(1, 2) + \
                ["professional"] * rng.randint(1, 3)
            for position, group in enumerate(groups):
                invitation_id += 1
                answered = rng.random() < 0.85
                rows.add("feedback_invitation", invitation_cols, (
                    invitation_id, review_id, group, f"{group}-{position}", "email", meeting_at, answered))
                if not answered:
                    continue
                response_id += 1
                agency = rng.choice(("social_care", "health", "education")) if group == "professional" else None
                rows.add("feedback_response", response_cols, (
                    response_id, review_id, group, ("first", "second", "subsequent")[min(number - 1, 2)], agency,
                    forms[group], week))
                for key, kind, comment, options in feedback_forms[group]:
                    if rng.random() < 0.06:
                        continue  # not answered: no row
                    feedback_answer_id += 1
                    if comment or kind in ("text", "short"):
                        if rng.random() < 0.3:
                            feedback_answer_id -= 1
                            continue
                        theme = rng.choice(THEMES)
                        rows.add("feedback_answer", feedback_answer_cols, (
                            feedback_answer_id, response_id, key, "answered", None, rng.choice(COMMENT_WORDS),
                            rng.choice((0.5, 0.0, -0.4, None)), False, theme, False, rng.random() < 0.01, False))
                    else:
                        rows.add("feedback_answer", feedback_answer_cols, (
                            feedback_answer_id, response_id, key, "answered",
                            agency if key == "agency" else rng.choice(options), None, None, False, None, False,
                            False, False))
            # The parents' consultation before the meeting, for some reviews.
            for parent in range(rng.choice((0, 1, 2, 2, 2))):
                consultation_id += 1
                invited = meeting_at - timedelta(days=14)
                rows.add("parent_consultation", consultation_cols, (
                    consultation_id, review_id, f"parent-{parent + 1}", "Parent", invited,
                    invited + timedelta(days=1), invited + timedelta(days=3), invited))
                for key, kind, section, options in consultation_questions:
                    consultation_answer_id += 1
                    choice = rng.choice(options) if options and kind not in ("checkboxes",) else None
                    rows.add("consultation_answer", consultation_answer_cols, (
                        consultation_answer_id, consultation_id, key, "answered", choice,
                        None if choice else "Some words", consultation_set, section, 1,
                        invited + timedelta(days=3), False))
    return rows


def trim_to(rows: Rows, wanted: int) -> None:
    """Exactly `wanted` answer rows: the consultation answers, the last to be generated, are cut (or the
    feedback answers if need be)."""
    excess = sum(rows.count(t) for t in ANSWER_TABLES) - wanted
    for table in ("consultation_answer", "feedback_answer", "booklet_answer"):
        if excess <= 0:
            break
        columns, table_rows = rows.tables[table]
        cut = min(excess, len(table_rows))
        del table_rows[len(table_rows) - cut:]
        excess -= cut


ANSWER_TABLES = ("booklet_answer", "feedback_answer", "consultation_answer")
INSERT_ORDER = ("child", "review", "booklet", "booklet_answer", "letter", "letter_version", "feedback_invitation",
                "feedback_response", "feedback_answer", "parent_consultation", "consultation_answer")


# --- Loading the rows -----------------------------------------------------------------------------

def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def load(app, rows: Rows) -> float:
    """Bulk insert every table (executemany on SQLite, COPY on PostgreSQL); the seconds it took."""
    from portal.extensions import db

    started = time.perf_counter()
    with app.app_context():
        dialect = db.engine.dialect.name
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for table in INSERT_ORDER:
                columns, table_rows = rows.tables.get(table, ((), []))
                if not table_rows:
                    continue
                names = ", ".join(f'"{name}"' for name in columns)
                if dialect == "postgresql":
                    with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                        for row in table_rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})',
                                       [tuple(_sqlite_value(v) for v in row) for row in table_rows])
            if dialect == "postgresql":
                for table in INSERT_ORDER:
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))")
            raw.commit()
            if dialect == "postgresql":  # as autovacuum leaves tables at rest (visibility map set, statistics read)
                connection = raw.dbapi_connection
                connection.autocommit = True
                for table in INSERT_ORDER:
                    cursor.execute(f'VACUUM ANALYZE "{table}"')
                connection.autocommit = False
            else:
                cursor.execute("ANALYZE")
                raw.commit()
        finally:
            raw.close()
    return time.perf_counter() - started


# --- Timing ---------------------------------------------------------------------------------------

@contextmanager
def statement_timer(engine, into: list):
    """Every statement's SQL and seconds, appended to `into`."""
    from sqlalchemy import event

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        into.append((time.perf_counter() - conn.info["bench_started"].pop(), statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def _median_of(function, runs: int = RUNS) -> tuple[float, list[float]]:
    function()  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), timings


def time_database(app, manager_id: int, year_start: int) -> dict:
    from flask_login import login_user
    from sqlalchemy import text

    from portal.extensions import db
    from portal.insights.filters import filters_from
    from portal.insights.sections import sections
    from portal.staff.models import StaffUser

    result: dict = {}
    with app.test_request_context(f"/insights/?year={year_start}"):
        from flask import request

        manager = db.session.get(StaffUser, manager_id)
        login_user(manager)
        filters = filters_from(request.args, manager)
        result["period"] = f"{filters.first_day.isoformat()}..{filters.last_day.isoformat()}"

        def bare() -> None:
            for statement in BARE_QUERIES.values():
                db.session.execute(text(statement)).all()

        def dashboard() -> None:
            for section in sections():
                section.compute(filters)
            db.session.rollback()  # as a request ends: nothing cached in the session between runs

        bare_each = {}
        for table, statement in BARE_QUERIES.items():
            bare_each[table] = round(_median_of(lambda s=statement: db.session.execute(text(s)).all())[0], 4)
        bare_median, bare_runs = _median_of(bare)
        dashboard_median, dashboard_runs = _median_of(dashboard)
        # One more run, section by section and statement by statement, to see what is slow.
        per_section, statements = {}, []
        for section in sections():
            found: list = []
            started = time.perf_counter()
            with statement_timer(db.engine, found):
                section.compute(filters)
            per_section[section.key] = {"seconds": round(time.perf_counter() - started, 4),
                                        "statements": len(found),
                                        "sql_seconds": round(sum(s for s, _q in found), 4)}
            statements += [(seconds, section.key, " ".join(sql.split())[:300]) for seconds, sql in found]
        db.session.rollback()
        slowest = sorted(statements, reverse=True)[:6]
        result.update({
            "bare_seconds": round(bare_median, 4), "bare_runs": [round(t, 4) for t in bare_runs],
            "bare_each_seconds": bare_each,
            "dashboard_seconds": round(dashboard_median, 4), "dashboard_runs": [round(t, 4) for t in dashboard_runs],
            "ratio": round(dashboard_median / bare_median, 2) if bare_median else None,
            "ratio_to_each": {table: round(dashboard_median / seconds, 2) for table, seconds in bare_each.items()
                              if seconds},
            "sections": per_section,
            "slowest_statements": [{"seconds": round(s, 4), "section": k, "sql": q} for s, k, q in slowest],
        })
        result["pass"] = result["ratio"] is not None and result["ratio"] <= RATIO_GOAL
    return result


# --- The two databases ----------------------------------------------------------------------------

def _config(tmp: Path) -> dict:
    return {"SECRET_KEY": "benchmark-only-not-secret", "SESSION_FILE_DIR": str(tmp / "sessions"),
            "HUEY_IMMEDIATE": True, "HUEY_SQLITE_PATH": str(tmp / "jobs.sqlite3"),
            "RATELIMIT_STORAGE_URI": "memory://", "BASE_URL": "http://localhost"}


def _build(config: dict):
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def run_one(app, year_start: int) -> dict:
    from sqlalchemy import func

    from portal.extensions import db

    iro_ids, _teams, forms, manager_id = _staff_and_forms(app)
    started = time.perf_counter()
    rows = generate(iro_ids, forms, year_start)
    trim_to(rows, ANSWERS_WANTED)
    generated = time.perf_counter() - started
    loaded = load(app, rows)
    with app.app_context():
        from sqlalchemy import table

        counts = {name: db.session.scalar(db.select(func.count()).select_from(table(name))) for name in INSERT_ORDER}
        dialect = db.engine.dialect.name
    result = {"database": dialect, "rows": counts, "answer_rows": sum(counts[t] for t in ANSWER_TABLES),
              "generate_seconds": round(generated, 1), "load_seconds": round(loaded, 1)}
    result.update(time_database(app, manager_id, year_start))
    return result


def measure() -> dict:
    from benchmarks.harness import POSTGRES_URL, postgres_missing, postgres_schema
    from portal.reviews.dates import reporting_year
    from portal.timeutil import today

    year_start = reporting_year(today()).first_day.year - 1  # the latest full reporting year
    found = {"year": f"{year_start}-{str(year_start + 1)[2:]}", "goal_ratio": RATIO_GOAL, "databases": []}
    with tempfile.TemporaryDirectory(prefix="insights-bench-") as tmp:
        config = _config(Path(tmp)) | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"}
        found["databases"].append(run_one(_build(config), year_start))
        missing = postgres_missing()
        if missing:
            found["databases"].append({"database": "postgresql", "error": missing})
        else:
            with postgres_schema("bench_insights") as schema:
                config = _config(Path(tmp)) | {
                    "SQLALCHEMY_DATABASE_URI": POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"),
                    "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
                }
                app = _build(config)
                try:
                    found["databases"].append(run_one(app, year_start))
                finally:
                    with app.app_context():
                        from portal.extensions import db

                        db.session.remove()
                        db.engine.dispose()
    return found


def report(result: dict) -> str:
    lines = [f"Collated views at scale: the {result['year']} dashboard (the whole service) against the bare GROUP BY "
             f"over the answer tables; goal: within {result['goal_ratio']}x"]
    for entry in result["databases"]:
        if entry.get("error"):
            lines.append(f"{entry['database']}: not measured ({entry['error']})")
            continue
        rows = entry["rows"]
        lines.append(f"{entry['database']}: {entry['answer_rows']:,} answers (booklet {rows['booklet_answer']:,}, "
                     f"feedback {rows['feedback_answer']:,}, consultation {rows['consultation_answer']:,}); "
                     f"{rows['review']:,} reviews, {rows['booklet']:,} booklets, {rows['feedback_response']:,} "
                     f"feedback responses; loaded in {entry['load_seconds']} s")
        lines.append(f"  dashboard {entry['dashboard_seconds']:.3f} s, bare GROUP BY {entry['bare_seconds']:.3f} s "
                     f"({', '.join(f'{k} {v:.3f} s' for k, v in entry['bare_each_seconds'].items())}): ratio "
                     f"{entry['ratio']}  {'PASS' if entry['pass'] else 'OVER'}")
        lines.append("  sections: " + ", ".join(f"{key} {value['seconds']:.3f} s ({value['statements']} statements)"
                                                for key, value in entry["sections"].items()))
        for statement in entry["slowest_statements"][:3]:
            lines.append(f"  slow: {statement['seconds']:.3f} s [{statement['section']}] {statement['sql'][:150]}")
    return "\n".join(lines)


def main() -> int:
    return report_step("insights", "Insights", measure, report)


if __name__ == "__main__":
    sys.exit(main())
