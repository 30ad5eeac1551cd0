"""Screening figures: `python -m benchmarks.screening` (run by `make bench`).

Recall on the labelled sentences that must raise a concern (tests/safeguarding/must_flag.tsv), the
false-positive rate on ordinary booklet answers (must_not_flag.tsv), and the time to screen a
2,000-character answer with the built-in lists (median of many runs, one core), plus the time to
build the automaton. Goals: recall 100%, false positives at most 10%, well under a millisecond.
Writes the "screening" section of bench/results.json. Always exits 0: it is a report.
"""

from __future__ import annotations

import statistics
import sys
import time

from benchmarks.results import HERE, write_section
from portal.safeguarding.builtin import builtin_entries
from portal.safeguarding.matching import Entry, Matcher
from tests.safeguarding.corpus import must_flag, must_not_flag

ANSWER_LENGTH = 2000
RUNS = 300


def _answer() -> str:
    """An ordinary long answer, with one worrying phrase near the end (so every pattern set is walked)."""
    ordinary = [line.text for line in must_not_flag()]
    text, index = "", 0
    while len(text) < ANSWER_LENGTH - 60:
        text += ordinary[index % len(ordinary)] + " "
        index += 1
    return (text + "sometimes i want to kill myself")[:ANSWER_LENGTH]


def measure() -> dict:
    entries = [Entry(phrase, language, category) for language, category, phrase in builtin_entries()]
    started = time.perf_counter()
    matcher = Matcher(entries)
    build_ms = (time.perf_counter() - started) * 1000

    flag, clear = must_flag(), must_not_flag()
    missed = [line.text for line in flag if not matcher.find(line.text)]
    false_positives = [line.text for line in clear if matcher.find(line.text)]
    answer = _answer()
    matcher.find(answer)  # warm the character cache, as a running server has it
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        matcher.find(answer)
        timings.append((time.perf_counter() - started) * 1000)
    pattern_sets = len({(e.language, e.category) for e in entries})
    result = {
        "entries": len(entries),
        "patterns": matcher.pattern_count,
        "pattern_sets": pattern_sets,
        "build_ms": round(build_ms, 1),
        "must_flag": len(flag),
        "recall": round(1 - len(missed) / len(flag), 4),
        "missed": missed,
        "must_not_flag": len(clear),
        "false_positive_rate": round(len(false_positives) / len(clear), 4),
        "false_positives": false_positives,
        "answer_chars": len(answer),
        "screen_ms_median": round(statistics.median(timings), 3),
        "screen_ms_p95": round(sorted(timings)[int(len(timings) * 0.95)], 3),
        "screen_ms_per_pattern_set": round(statistics.median(timings) / pattern_sets, 4),
    }
    print(f"Screening: {result['entries']} built-in entries, {result['patterns']} patterns in "
          f"{pattern_sets} sets (language x category), automaton built in {result['build_ms']} ms")
    print(f"  recall on {len(flag)} sentences that must flag: {result['recall']:.1%} (goal 100%)")
    for text in missed:
        print(f"    missed: {text}")
    print(f"  false positives on {len(clear)} ordinary answers: {result['false_positive_rate']:.1%} (goal <= 10%)")
    for text in false_positives:
        print(f"    flagged: {text}")
    print(f"  a {len(answer)}-character answer: median {result['screen_ms_median']} ms, p95 "
          f"{result['screen_ms_p95']} ms ({result['screen_ms_per_pattern_set']} ms per pattern set)")
    return result


def main() -> int:
    try:
        result = measure()
    except Exception as error:  # noqa: BLE001 - a report: say what went wrong, let the others run
        result = {"error": f"{error.__class__.__name__}: {error}"}
        print(f"Screening: not measured ({result['error']})")
    path = write_section("screening", {"command": "python -m benchmarks.screening", **result})
    print(f"Written to {path.relative_to(HERE.parent)} (section \"screening\")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
