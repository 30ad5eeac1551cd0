"""Lighthouse mobile scores of the child's pages: `python -m benchmarks.lighthouse` (run by `make bench`).

Serves the portal as production does (gunicorn, 2 workers, PORTAL_ENV=production, PostgreSQL on a throwaway
schema, Redis db 14, PROXY_FIX_HOPS=1) with one 14-year-old's planned review, presses Start on their booklet
link, and runs npm `lighthouse` (mobile, its default) with Debian's Chromium on: the landing page (no cookie,
as a first visit), the booklet contents, a section page, My IRO and the message page (with the session
cookie through --extra-headers). Every request carries X-Forwarded-Proto: https, as the TLS proxy adds.
Lighthouse comes from `npx --yes lighthouse@LIGHTHOUSE_VERSION` unless LIGHTHOUSE_BIN names one.

Writes the "lighthouse" section of bench/results.json. If Lighthouse cannot run it says why;
always exits 0: it is a report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks import harness
from benchmarks.results import write_section

LIGHTHOUSE_VERSION = os.environ.get("LIGHTHOUSE_VERSION", "13.5.0")
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index")
PAGE_TIMEOUT = 150
PAGES = (  # name, path (None: the private link), behind Start
    ("landing", None, False),
    ("booklet contents", "/booklet", True),
    ("section (How things are going)", "/booklet/how_things_are", True),
    ("My IRO", "/my-iro", True),
    ("message to my IRO", "/my-iro/message", True),
)


def lighthouse_command() -> list[str] | None:
    if os.environ.get("LIGHTHOUSE_BIN"):
        return [os.environ["LIGHTHOUSE_BIN"]]
    npx = shutil.which("npx")
    return [npx, "--yes", f"lighthouse@{LIGHTHOUSE_VERSION}"] if npx else None


def score_page(command: list[str], url: str, headers: dict, out: Path) -> dict:
    args = [*command, url, f"--chrome-flags={CHROME_FLAGS}", "--output=json", f"--output-path={out}", "--quiet",
            f"--only-categories={','.join(CATEGORIES)}", f"--extra-headers={json.dumps(headers)}",
            "--max-wait-for-load=45000"]
    started = time.monotonic()
    try:
        run = subprocess.run(args, env={**os.environ, "CHROME_PATH": CHROME}, capture_output=True, text=True,
                             timeout=PAGE_TIMEOUT, cwd=tempfile.gettempdir())
    except subprocess.TimeoutExpired:
        return {"error": f"Lighthouse took more than {PAGE_TIMEOUT} s"}
    seconds = round(time.monotonic() - started, 1)
    if run.returncode != 0 or not out.exists():
        return {"error": f"Lighthouse exited {run.returncode}: {(run.stderr or run.stdout)[-600:].strip()}",
                "seconds": seconds}
    report = json.loads(out.read_text())
    result = {
        "seconds": seconds,
        "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl"),
        "scores": {key: (round(cat["score"] * 100) if cat.get("score") is not None else None)
                   for key, cat in report.get("categories", {}).items()},
        "metrics": {key: (report["audits"][key].get("displayValue") or "").replace("\xa0", " ")
                    for key in METRICS if key in report.get("audits", {})},
        "form_factor": report.get("configSettings", {}).get("formFactor"),
        "lighthouse_version": report.get("lighthouseVersion"),
        "browser": report.get("environment", {}).get("hostUserAgent"),
    }
    if result["scores"].get("seo") is None and "seo" in result["scores"]:
        result["seo_note"] = ("not scored: the page says noindex (X-Robots-Tag), on purpose for private pages, and "
                              "Lighthouse gives no SEO score to a page blocked from indexing")
    if report.get("runtimeError"):
        result["runtime_error"] = report["runtimeError"]
    # What kept a category under 100: the failing audits that count towards it.
    weak = {}
    for key, category in report.get("categories", {}).items():
        for ref in category.get("auditRefs", []):
            audit = report["audits"].get(ref["id"], {})
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                weak.setdefault(key, []).append(f"{ref['id']} ({audit.get('displayValue') or audit['score']})")
    result["below_full_marks"] = weak
    return result


def measure() -> dict:
    command = lighthouse_command()
    if command is None:
        return {"error": "npx (npm) is not installed, so Lighthouse cannot run"}
    if not Path(CHROME).exists():
        return {"error": f"no Chromium at {CHROME} (`make chromium` installs Debian's)"}
    missing = harness.postgres_missing() or harness.redis_missing()
    if missing:
        return {"error": missing}
    result: dict = {"command": "python -m benchmarks.lighthouse", "lighthouse": " ".join(command[-2:]),
                    "chrome": CHROME, "chrome_flags": CHROME_FLAGS,
                    "server": "gunicorn, 2 workers, PORTAL_ENV=production behind X-Forwarded-Proto: https, "
                              "PostgreSQL, Redis", "pages": {}}
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp_name, harness.postgres_schema("bench_lh") as schema:
        tmp = Path(tmp_name)
        harness.flush_redis()
        server = None
        try:
            port = harness.free_port()
            env = harness.portal_env(schema, port, tmp / "instance")
            harness.migrate(env)
            child = harness.seed(env, 1, first_age=14)[0]
            server = harness.Gunicorn("wsgi:app", env, port, tmp / "gunicorn.log")
            server.start(headers=harness.PROXY_HEADERS)
            cookies = harness.start_child_session(server.base_url, child["path"])
            cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
            print(f"Portal up on {server.base_url}; Start pressed for a 14-year-old's booklet", flush=True)
            for name, path, behind_start in PAGES:
                path = path or child["path"]
                headers = dict(harness.PROXY_HEADERS)
                if behind_start:
                    headers["Cookie"] = cookie
                status = harness.open_url(server.base_url + path, headers=headers)[0]
                shown = "/l/<token>" if path == child["path"] else path
                if status != 200:
                    page = {"path": shown, "error": f"the page answered HTTP {status} before Lighthouse ran"}
                else:
                    page = {"path": shown, **score_page(command, server.base_url + path, headers,
                                                        tmp / f"{len(result['pages'])}.json")}
                    if page.get("final_url"):
                        page["final_url"] = page["final_url"].replace(child["path"], "/l/<token>")
                result["pages"][name] = page
                print(f"  {name:34} {_line(page)}", flush=True)
        finally:
            if server is not None:
                server.stop()
            harness.flush_redis()
    scored = [p for p in result["pages"].values() if p.get("scores")]
    if not scored:
        result["error"] = "Lighthouse ran on no page: " + "; ".join(
            f"{name}: {p.get('error')}" for name, p in result["pages"].items())[:1500]
    return result


def _line(page: dict) -> str:
    if page.get("scores"):
        scores = "  ".join(f"{key} {value}" for key, value in page["scores"].items())
        metrics = page.get("metrics", {})
        return (f"{scores}  (LCP {metrics.get('largest-contentful-paint')}, TBT {metrics.get('total-blocking-time')}, "
                f"CLS {metrics.get('cumulative-layout-shift')}; {page.get('seconds')} s)")
    return f"not scored: {page.get('error')}"


def main() -> int:
    harness.stop_on_sigterm()
    try:
        result = measure()
    except Exception as error:  # noqa: BLE001 - a report: say what went wrong and carry on
        traceback.print_exc()
        result = {"error": f"{error.__class__.__name__}: {error}"}
    if result.get("error"):
        print(f"Lighthouse: {result['error']}")
    path = write_section("lighthouse", result)
    print(f"Written to {path.relative_to(harness.PROJECT_ROOT)} (section \"lighthouse\")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
