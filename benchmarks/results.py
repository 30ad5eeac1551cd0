"""bench/results.json: one section per measurement ("page_weight", "screening", "load", "lighthouse", "letters",
"insights").

Each benchmark writes only its own section, so they run in any order (or alone) and a failed step leaves the
others' figures as they were. `python -m benchmarks.report` turns the file into bench/results.md.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Beside the code, not in it: bench/results.json and bench/results.md (not kept in git).
OUT_DIR = HERE.parent / "bench"
RESULTS = OUT_DIR / "results.json"
SECTIONS = ("page_weight", "screening", "load", "lighthouse", "letters", "insights", "caseload")


def read_all() -> dict:
    try:
        data = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not any(key in data for key in SECTIONS):
        return {}  # the flat page-weight file written before the sections existed
    return data


def machine() -> dict:
    """What the figures were measured on (the load average says whether something else was running)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (None, None, None)
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average_1_5_15": [round(x, 2) for x in load] if load[0] is not None else None}


def write_section(name: str, section: dict) -> Path:
    """Replace one section of results.json (atomically), stamped with when and where it was measured."""
    data = read_all()
    data[name] = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "machine": machine(), **section}
    OUT_DIR.mkdir(exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".results-", suffix=".json", dir=OUT_DIR)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
    os.chmod(temporary, 0o644)
    os.replace(temporary, RESULTS)
    return RESULTS


def report_step(section: str, title: str, measure, report) -> int:
    """Run one benchmark as a report: measure, print, write its section (or why it could not measure).

    Always 0: `make bench` goes on to the next step whatever happens here."""
    try:
        result = measure()
        print(report(result))
    except (Exception, SystemExit) as error:  # noqa: BLE001 - a report: say what went wrong, let the others run
        traceback.print_exc()
        result = {"error": str(error) if isinstance(error, SystemExit) else f"{error.__class__.__name__}: {error}"}
        print(f"{title}: not measured ({result['error']})")
    path = write_section(section, {"command": f"python -m benchmarks.{section}", **result})
    print(f"\nWritten to {path.relative_to(HERE.parent)} (section \"{section}\")")
    return 0
