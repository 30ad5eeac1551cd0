"""The caseload pages at a service's size: `python -m benchmarks.caseload` (run by `make bench`).

Generates, on a throwaway PostgreSQL schema (and a throwaway SQLite database, for comparison), both built by the
real migrations, one IRO service as it stands today: 30 IROs in 3 teams (one IRO holds 80 children, the others
about 66), 2,000 children, each with two or three reviews held over the last 18 months and, for most, the next
one planned (a few late, a few with none); booklets for the planned reviews near their meeting (sent, opened,
started, returned) and for the held ones; letters (issued for most held reviews, drafts or none for recent
ones); feedback invitations after the latest held review; the children's messages (a few unread) and urgent
concerns (a few open). The rows go in by bulk inserts.

Then times, through the Flask test client signed in (as a browser would: the whole request, templates
included), the median of 15 warm runs after 2 warm-ups (and the median CPU time of this process, which the
machine's other work does not inflate) of
- the manager's view `/caseload/service` (page 1, the whole service: 2,000 children) and
- the IRO's own `/caseload` (80 children),
with the SQL statements each request makes and their time. Goal: the manager's view under 300 ms on PostgreSQL.

Writes the "caseload" section of bench/results.json. Always exits 0: it is a report.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.insights import _build, _config, statement_timer
from benchmarks.results import report_step

CHILDREN = 2_000
IROS = 30
TEAMS = 3
BIG_CASELOAD = 80
WARM = 2
RUNS = 15
GOAL_MS = 300.0
SEED = 15
PASSWORD = "caseload-bench-password"
PAGES = {"manager_service": "/caseload/service", "iro_own": "/caseload"}


def _staff(app) -> tuple[list[int], int]:
    """Three teams, 30 IROs and a manager through the ORM (a few rows)."""
    from portal.extensions import db
    from portal.staff.models import StaffUser, Team
    from portal.staff.services import hash_password

    with app.app_context():
        teams = [Team(name=f"Team {n}") for n in range(1, TEAMS + 1)]
        db.session.add_all(teams)
        db.session.flush()
        hashed = hash_password(PASSWORD)
        iros = [StaffUser(email=f"iro{n}@bench.example", name=f"IRO {n:02d}", role="iro", team_id=teams[n % TEAMS].id,
                          password_hash=hashed, active=True) for n in range(IROS)]
        manager = StaffUser(email="manager@bench.example", name="Manager Bench", role="manager",
                            team_id=teams[0].id, password_hash=hashed, active=True)
        db.session.add_all([*iros, manager])
        db.session.commit()
        return [iro.id for iro in iros], manager.id


def _iro_for(child: int, iro_ids: list[int]) -> int:
    """The first IRO holds BIG_CASELOAD children; the rest are shared out evenly."""
    if child <= BIG_CASELOAD:
        return iro_ids[0]
    return iro_ids[1 + (child % (len(iro_ids) - 1))]


def generate(iro_ids: list[int], now: datetime) -> dict[str, list[dict]]:
    """Every row, ids given here (the tables are empty), as {table: [row, ...]} in insert order."""
    from portal.booklet.questions import CURRENT_SET

    rng = random.Random(SEED)
    rows: dict[str, list[dict]] = {name: [] for name in (
        "child", "review", "booklet", "letter", "letter_version", "feedback_invitation", "child_message",
        "urgent_concern")}
    ids = dict.fromkeys(rows, 0)

    def add(table: str, **row) -> int:
        ids[table] += 1
        rows[table].append({"id": ids[table], **row})
        return ids[table]

    def review(child: int, iro: int, meeting: datetime, status: str, number: str) -> int:
        return add("review", child_id=child, iro_id=iro, meeting_at=meeting, place="", number=number, status=status,
                   participation_code=rng.choice(("PN1", "PN1", "PN2", "PN3", "PN4")) if status == "held" else None,
                   chairing=None, held_at=meeting if status == "held" else None, cancelled_reason="",
                   created_at=meeting - timedelta(days=40))

    def booklet(review_id: int, age: int, meeting: datetime, *, planned: bool) -> None:
        if age < 4:
            return
        days_to_meeting = (meeting - now).days
        if planned and (days_to_meeting > 25 or rng.random() < 0.15):
            return  # not sent yet
        version = "4-7" if age < 8 else ("4-11" if age < 12 else "12-17")
        invited = min(meeting - timedelta(days=rng.randint(12, 25)), now - timedelta(hours=rng.randint(1, 200)))
        opened = invited + timedelta(hours=rng.randint(2, 90)) if rng.random() < 0.8 else None
        started = opened if opened and rng.random() < 0.8 else None
        returned = started + timedelta(days=rng.randint(1, 5)) if started and rng.random() < 0.6 else None
        stamps = [opened, started, returned]
        for position, stamp in enumerate(stamps):
            if stamp is None or stamp > now:  # nothing happens after now, nor after a step not taken
                stamps[position:] = [None] * (3 - position)
                break
        add("booklet", review_id=review_id, version=version, question_set=CURRENT_SET[version], version_chosen_by="age",
            invited_at=invited, opened_at=stamps[0], started_at=stamps[1], returned_at=stamps[2], withdrawn_at=None,
            created_at=invited)

    for child in range(1, CHILDREN + 1):
        iro = _iro_for(child, iro_ids)
        age = rng.randint(1, 17)
        born = (now - timedelta(days=age * 365 + rng.randint(0, 364))).date()
        came = max(born, (now - timedelta(days=rng.randint(400, 3000))).date())
        add("child", preferred_name=f"Child {child:04d}", first_name=None, date_of_birth=born, came_into_care=came,
            pronouns="", preferred_language=rng.choice(("en",) * 9 + ("cy",)), words_to_use="",
            case_reference=f"CR{child:05d}", iro_id=iro, created_at=now - timedelta(days=400))
        # Two or three reviews held, about six months apart, the latest 10-170 days ago.
        latest = now - timedelta(days=rng.randint(10, 170), hours=rng.randint(0, 6))
        held_reviews = []
        for back in range(rng.choice((2, 3, 3)) - 1, -1, -1):
            meeting = latest - timedelta(days=182 * back)
            number = ("first", "second", "subsequent")[min(len(held_reviews), 2)]
            review_id = review(child, iro, meeting, "held", number)
            booklet(review_id, age, meeting, planned=False)
            held_reviews.append((review_id, meeting))
        if rng.random() < 0.03:
            review(child, iro, latest + timedelta(days=90), "cancelled", "subsequent")
        # The next review: most planned (a few already late), a few with none planned yet.
        if rng.random() < 0.95:
            meeting = latest + timedelta(days=rng.choice((182, 182, 175, 190, 200)))
            planned_id = review(child, iro, meeting.replace(hour=10, minute=0), "planned", "subsequent")
            booklet(planned_id, age, meeting, planned=True)
        else:
            planned_id = None
        # Letters: issued for every earlier review; for the latest, issued (most), a draft, or not started.
        for review_id, meeting in held_reviews:
            recent = review_id == held_reviews[-1][0]
            chance = rng.random()
            if recent and chance > 0.9:
                continue
            letter = add("letter", review_id=review_id, created_at=meeting + timedelta(days=1))
            issued = not recent or chance < 0.8
            when = meeting + timedelta(days=rng.randint(3, 25))
            add("letter_version", letter_id=letter, number=1, status="issued" if issued else "draft",
                greeting="Dear you", author_id=iro, issued_by_id=iro if issued else None,
                issued_at=when if issued else None, correction_reason=None, created_at=meeting + timedelta(days=1),
                updated_at=when, version_counter=1)
        # Feedback asked after the latest held review: the young person, parents and carers, professionals.
        last_id, last_meeting = held_reviews[-1]
        if rng.random() < 0.85:
            groups = ["young_person"] * (age >= 8) + ["parent_carer"] * rng.randint(1, 2) + \
                ["professional"] * rng.randint(1, 2)
            for position, group in enumerate(groups):
                add("feedback_invitation", review_id=last_id, group=group, recipient_ref=f"{group}-{position}",
                    link_id=None, channel="email", description=None, contact=None, sent_at=last_meeting,
                    remind_on=None, reminded_at=None, returned=rng.random() < 0.6, contact_deleted_at=None)
        # Messages to the IRO (a few unread) and urgent concerns (a few still open).
        message_review = planned_id or last_id
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            sent = now - timedelta(days=rng.randint(1, 60))
            add("child_message", review_id=message_review, body="Can we talk?", urgent=False, submission_id=None,
                created_at=sent, read_at=None if rng.random() < 0.15 else sent + timedelta(hours=5))
        if rng.random() < 0.08:
            raised = now - timedelta(days=rng.randint(0, 40))
            still_open = rng.random() < 0.35
            add("urgent_concern", review_id=message_review, source_kind="child_message", source_id=None,
                reason="word_list", categories="physical_harm", snapshot_label="", snapshot_text="(bench)",
                snapshot_matches=[], latest_text=None, latest_matches=None, latest_at=None,
                source_removed_at=None, created_at=raised, escalate_after=raised + timedelta(hours=4),
                escalated_at=None, acknowledged_at=None if still_open else raised + timedelta(hours=2),
                acknowledged_by_id=None if still_open else iro, acknowledgement_note="" if still_open else "Seen")
    return rows


def load(app, rows: dict[str, list[dict]]) -> float:
    """Bulk insert every table through SQLAlchemy Core (executemany); the seconds it took."""
    from sqlalchemy import text

    from portal.extensions import db

    started = time.perf_counter()
    with app.app_context():
        with db.engine.begin() as connection:
            for name, table_rows in rows.items():
                table = db.metadata.tables[name]  # the models' tables: their column defaults fill the rest
                for start in range(0, len(table_rows), 5_000):
                    connection.execute(table.insert(), table_rows[start:start + 5_000])
            if db.engine.dialect.name == "postgresql":
                for name in rows:
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                            f"(SELECT coalesce(max(id), 1) FROM \"{name}\"))"))
        if db.engine.dialect.name == "postgresql":  # as autovacuum leaves tables at rest
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for name in [*rows, "staff_user", "team"]:
                    connection.execute(text(f'VACUUM ANALYZE "{name}"'))
        else:
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def _signed_in(app, email: str):
    client = app.test_client()
    client.get("/sign-in")
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD},
                           headers={"Origin": "http://localhost"})
    if response.status_code not in (302, 303):
        raise RuntimeError(f"signing in as {email} gave HTTP {response.status_code}")
    return client


def time_page(app, client, path: str) -> dict:
    """Median of RUNS warm requests (after WARM), and one more request's statements."""
    from portal.extensions import db

    for _ in range(WARM):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} gave HTTP {response.status_code}")
    timings, cpu = [], []
    for _ in range(RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200
    found: list = []
    with app.app_context():
        engine = db.engine
    with statement_timer(engine, found):
        page = client.get(path)
    slowest = sorted(found, key=lambda item: item[0], reverse=True)[:3]
    return {"path": path, "median_ms": round(statistics.median(timings), 1), "runs_ms": [round(t, 1) for t in timings],
            "fastest_ms": round(min(timings), 1), "cpu_median_ms": round(statistics.median(cpu), 1),
            "statements": len(found), "sql_ms": round(sum(s for s, _q in found) * 1000, 1),
            "html_bytes": len(page.get_data()),
            "slowest_statements": [{"ms": round(s * 1000, 2), "sql": " ".join(q.split())[:300]} for s, q in slowest]}


def run_one(app) -> dict:
    from sqlalchemy import func, table

    from portal.extensions import db
    from portal.timeutil import utcnow

    iro_ids, _manager_id = _staff(app)
    started = time.perf_counter()
    rows = generate(iro_ids, utcnow().astimezone(UTC))
    generated = time.perf_counter() - started
    loaded = load(app, rows)
    with app.app_context():
        counts = {name: db.session.scalar(db.select(func.count()).select_from(table(name))) for name in rows}
        dialect = db.engine.dialect.name
        children = table("child", db.column("iro_id"))
        big = db.session.scalar(db.select(func.count()).select_from(children).where(children.c.iro_id == iro_ids[0]))
    result = {"database": dialect, "rows": counts, "iros": len(iro_ids), "teams": TEAMS,
              "iro_children": big, "generate_seconds": round(generated, 1), "load_seconds": round(loaded, 1),
              "pages": {}}
    manager = _signed_in(app, "manager@bench.example")
    result["pages"]["manager_service"] = time_page(app, manager, PAGES["manager_service"])
    iro = _signed_in(app, "iro0@bench.example")
    result["pages"]["iro_own"] = time_page(app, iro, PAGES["iro_own"])
    result["pass"] = result["pages"]["manager_service"]["median_ms"] < GOAL_MS
    return result


def measure() -> dict:
    from benchmarks.harness import POSTGRES_URL, postgres_missing, postgres_schema

    found: dict = {"goal_ms": GOAL_MS, "runs": RUNS, "children": CHILDREN, "databases": []}
    with tempfile.TemporaryDirectory(prefix="caseload-bench-") as tmp:
        base = _config(Path(tmp)) | {"PASSWORD_HASHER": "fast-for-tests"}
        missing = postgres_missing()
        if missing:
            found["databases"].append({"database": "postgresql", "error": missing})
        else:
            with postgres_schema("bench_caseload") as schema:
                app = _build(base | {
                    "SQLALCHEMY_DATABASE_URI": POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"),
                    "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
                })
                try:
                    found["databases"].append(run_one(app))
                finally:
                    _dispose(app)
        app = _build(base | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"})
        found["databases"].append(run_one(app))
        _dispose(app)
    return found


def _dispose(app) -> None:
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def report(result: dict) -> str:
    lines = [f"Caseload pages at a service's size ({result['children']:,} children), median of {result['runs']} warm "
             f"requests through the test client; goal: the manager's view under {result['goal_ms']:.0f} ms on "
             "PostgreSQL"]
    for entry in result["databases"]:
        if entry.get("error"):
            lines.append(f"{entry['database']}: not measured ({entry['error']})")
            continue
        rows = entry["rows"]
        lines.append(f"{entry['database']}: {rows['child']:,} children, {rows['review']:,} reviews, "
                     f"{rows['booklet']:,} booklets, {rows['letter_version']:,} letter versions, "
                     f"{rows['feedback_invitation']:,} feedback invitations, {rows['child_message']:,} messages, "
                     f"{rows['urgent_concern']:,} concerns; {entry['iros']} IROs in {entry['teams']} teams; "
                     f"loaded in {entry['load_seconds']} s")
        for key, page in entry["pages"].items():
            verdict = (" PASS" if entry["pass"] else " OVER") if key == "manager_service" else ""
            lines.append(f"  {page['path']} ({key}): {page['median_ms']:.1f} ms (fastest {page['fastest_ms']:.1f} ms; "
                         f"CPU in this process {page['cpu_median_ms']:.1f} ms), {page['statements']} statements "
                         f"({page['sql_ms']:.1f} ms in SQL), {page['html_bytes'] / 1024:.0f} KB HTML{verdict}")
            for statement in page["slowest_statements"][:2]:
                lines.append(f"    slow: {statement['ms']:.1f} ms {statement['sql'][:140]}")
    return "\n".join(lines)


def main() -> int:
    return report_step("caseload", "Caseload", measure, report)


if __name__ == "__main__":
    sys.exit(main())
