"""Listen's own audio: the size per sentence of every fixed text, as the portal renders it:
`python -m benchmarks.audio` (run by `make bench`).

Renders every text of portal.speech.registry, in every language espeak-ng speaks, into a throwaway cache (as
`flask speech build` does), checks each file is Ogg Opus, and reports bytes per sentence (a text's size divided
by its sentences), seconds of speech and the time to render. Goal: at most 8 KB a sentence.
Writes the "audio" section of bench/results.json. Always exits 0: it is a report.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.results import report_step

GOAL_BYTES_PER_SENTENCE = 8 * 1024
SENTENCE_END = re.compile(r"[.?!](\s|$)")


def sentences(text: str) -> int:
    return max(1, len(SENTENCE_END.findall(text)))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure() -> dict:
    from portal import create_app
    from portal.speech import audio, ogg
    from portal.speech.registry import VOICES, registry

    if not audio.tools_present():
        raise SystemExit("espeak-ng and opusenc are not installed (Debian: apt-get install espeak-ng opus-tools)")
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "benchmark-only-not-secret", "SPEECH_CACHE": str(Path(tmp) / "speech"),
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"})
        languages = {}
        with app.app_context():
            for lang in sorted(VOICES):
                started = time.perf_counter()
                rendered = audio.render_all(lang)
                seconds = time.perf_counter() - started
                texts = registry(lang)
                rows = []
                for item in rendered:
                    key = item.path.stem
                    data = item.path.read_bytes()
                    info = ogg.read(data)
                    count = sentences(texts[key].text)
                    rows.append({"text": texts[key].text, "bytes": len(data), "sentences": count,
                                 "bytes_per_sentence": len(data) / count, "seconds": round(info.seconds, 2)})
                per_sentence = [row["bytes_per_sentence"] for row in rows]
                languages[lang] = {
                    "voice": sorted({spoken.voice for spoken in texts.values()}),
                    "texts": len(rows),
                    "total_bytes": sum(row["bytes"] for row in rows),
                    "speech_seconds": round(sum(row["seconds"] for row in rows), 1),
                    "render_seconds": round(seconds, 1),
                    "bytes_per_sentence_median": round(statistics.median(per_sentence)),
                    "bytes_per_sentence_p95": round(_percentile(per_sentence, 0.95)),
                    "bytes_per_sentence_max": round(max(per_sentence)),
                    "over_goal": sum(value > GOAL_BYTES_PER_SENTENCE for value in per_sentence),
                    "largest": sorted(rows, key=lambda row: -row["bytes_per_sentence"])[:3],
                }
    return {"goal_bytes_per_sentence": GOAL_BYTES_PER_SENTENCE,
            "encoding": f"espeak-ng -s {audio.RATE} | opusenc --speech --bitrate {audio.BITRATE_KBPS} "
                        f"--framesize {audio.FRAME_MS} --padding 0 --downmix-mono",
            "languages": languages,
            "pass": all(entry["over_goal"] == 0 for entry in languages.values())}


def report(result: dict) -> str:
    lines = [f"Listen's own audio ({result['encoding']}); goal ≤ {result['goal_bytes_per_sentence'] / 1024:.0f} KB "
             "a sentence"]
    for lang, entry in result["languages"].items():
        lines.append(f"  {lang}: {entry['texts']} texts, {entry['total_bytes'] / 1024:.0f} KB in all, "
                     f"{entry['speech_seconds']} s of speech, rendered in {entry['render_seconds']} s; per sentence "
                     f"median {entry['bytes_per_sentence_median'] / 1024:.1f} KB, p95 "
                     f"{entry['bytes_per_sentence_p95'] / 1024:.1f} KB, max {entry['bytes_per_sentence_max'] / 1024:.1f}"
                     f" KB; {entry['over_goal']} over the goal")
    lines.append(f"  goal {'met' if result['pass'] else 'NOT met'}")
    return "\n".join(lines)


def main() -> int:
    return report_step("audio", "Listen's audio", measure, report)


if __name__ == "__main__":
    sys.exit(main())
