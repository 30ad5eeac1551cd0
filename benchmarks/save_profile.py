"""What one autosave costs, alone: `python -m benchmarks.save_profile [SAVES]` in the portal's environment.

Run by benchmarks.load_with_faults on its PostgreSQL schema and Redis database (the same settings gunicorn
had), in one process with Flask's test client: a child of its own opens their link, presses Start, opens
the 'Good news' section and saves it SAVES times through the JSON autosave, as the load test does. Counts
the SQL statements and Redis commands of one save, the CPU time per save (not disturbed much by other
work on the machine, unlike the latencies under load), and where the time goes (cProfile). Prints one
JSON line.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import re
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="good_news__version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="good_news__version"')
BASE = "https://127.0.0.1"


def _statement_kind(statement: str) -> str:
    words = " ".join(statement.split())
    table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+([a-z_\"]+)", words, re.IGNORECASE)
    return f"{words.split(' ', 1)[0].upper()} {table.group(1).strip(chr(34)) if table else ''}".strip()


def main(saves: int) -> dict:
    import redis
    from sqlalchemy import event

    from portal import create_app
    from portal.booklet.services import issue_booklet_link
    from portal.extensions import db
    from tests import factories

    app = create_app()
    with app.app_context():
        iro = factories.staff("iro", name="Profile IRO", email="profile.iro@example.org")
        review = factories.review(factories.child(iro, age=14, preferred_name="Robin"), days_ahead=20)
        url, _ = issue_booklet_link(review)
        db.session.commit()
        path = urlsplit(url).path
        engine = db.engine

    statements: list[str] = []
    redis_commands: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: statements.append(statement))
    control: list[str] = []  # round trips SQLAlchemy makes besides statements
    for name in ("begin", "commit", "rollback"):
        event.listen(engine, name, lambda conn, name=name: control.append(name.upper()))
    event.listen(engine.pool, "checkout", lambda *args: control.append("pool checkout (pre-ping SELECT 1)"))
    event.listen(engine.pool, "reset", lambda *args: control.append("pool reset on return (ROLLBACK)"))
    original = redis.Redis.execute_command

    def counting(self, *args, **kwargs):
        redis_commands.append(str(args[0]))
        return original(self, *args, **kwargs)

    redis.Redis.execute_command = counting
    client = app.test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.9.9"}
    assert client.get(path, base_url=BASE, headers=headers).status_code == 200
    start = client.post(path, base_url=BASE,
                        headers={**headers, "Referer": f"{BASE}{path}", "Origin": BASE})
    assert start.status_code in (302, 303), start.status_code
    page = client.get("/booklet/good_news", base_url=BASE, headers=headers).get_data(as_text=True)
    csrf, match = CSRF.search(page).group(1), VERSION.search(page)
    version = int(match.group(1) or match.group(2))
    save_headers = {**headers, "X-CSRFToken": csrf, "Referer": f"{BASE}/booklet/good_news", "Origin": BASE,
                    "Accept": "application/json"}

    def save(number: int) -> None:
        nonlocal version
        answer = client.post("/booklet/answer", base_url=BASE, headers=save_headers, json={
            "question_key": "good_news", "state": "answered", "value": f"Good news, profile save {number}",
            "version": version}).get_json()
        assert answer and answer.get("status") == "saved", answer
        version = answer["version"]

    for number in range(5):  # warm: caches, the word-list matcher, the connection pool
        save(number)
    statements.clear()
    redis_commands.clear()
    control.clear()
    save(5)
    one_save_control = dict(Counter(control))
    one_save_sql = [_statement_kind(s) for s in statements]
    one_save_redis = list(redis_commands)

    cpu_started, wall_started = time.process_time(), time.perf_counter()
    for number in range(6, 6 + saves):
        save(number)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / saves
    wall_ms = (time.perf_counter() - wall_started) * 1000 / saves

    profiler = cProfile.Profile()
    profiler.enable()
    for number in range(6 + saves, 6 + 2 * saves):
        save(number)
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, function), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append((cumtime, tottime, calls, f"{filename.split('site-packages/')[-1].replace(str(sys.prefix), '')}"
                                               f":{line}({function})"))
    portal_rows = sorted((r for r in rows if "/portal/" in r[3] or r[3].startswith("portal/")), reverse=True)
    by_self = sorted(rows, key=lambda r: r[1], reverse=True)

    def shown(row) -> dict:
        name = row[3].split("/work/main/")[-1]
        return {"function": name, "calls_per_save": round(row[2] / saves, 1),
                "cumulative_ms_per_save": round(row[0] * 1000 / saves, 3), "own_ms_per_save": round(row[1] * 1000 / saves, 3)}

    return {"saves": saves, "cpu_ms_per_save": round(cpu_ms, 2), "wall_ms_per_save": round(wall_ms, 2),
            "sql_statements_per_save": len(one_save_sql), "sql": dict(Counter(one_save_sql)),
            "sql_in_order": one_save_sql, "transaction_and_pool": one_save_control,
            "redis_commands_per_save": len(one_save_redis), "redis": dict(Counter(one_save_redis)),
            "profile_portal_cumulative": [shown(r) for r in portal_rows[:15]],
            "profile_own_time": [shown(r) for r in by_self[:12]]}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)))
