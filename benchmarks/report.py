"""bench/results.md from bench/results.json: `python -m benchmarks.report` (last step of `make bench`).

Prints the Markdown too. Always exits 0: it is a report (a missing section says so).
"""

from __future__ import annotations

import sys

from benchmarks.results import OUT_DIR, read_all

OUT = OUT_DIR / "results.md"


def _kb(n) -> str:
    return f"{n / 1024:.1f}" if isinstance(n, int | float) else "–"


def _ms(value) -> str:
    return "–" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _share(value) -> str:
    return "?" if value is None else f"{value:.0%}"


def _stamp(section: dict) -> str:
    machine = section.get("machine") or {}
    load = machine.get("load_average_1_5_15")
    return (f"_Measured {section.get('measured_at', '?')} on {machine.get('cpus', '?')} cores"
            f"{f', load average {load[0]} / {load[1]} / {load[2]}' if load else ''}; "
            f"`{section.get('command', '')}`._")


def page_weight(section: dict) -> list[str]:
    lines = ["## Page weight", "", _stamp(section), ""]
    if section.get("error"):
        return lines + [f"Not measured: {section['error']}", ""]
    goals = section["goals"]
    lines += [f"The heaviest booklet page, `{section['page']}` (12-17), on a first visit, `Accept-Encoding: br, gzip`.", "",
              "| file | kind | encoding | raw KB | served KB |", "| --- | --- | --- | ---: | ---: |"]
    for item in [section["html"]] + section["assets"]:
        status = "" if item["status"] == 200 else f" (HTTP {item['status']})"
        lines.append(f"| `{item['path']}`{status} | {item['kind']} | {item['encoding']} | {_kb(item['raw_bytes'])} | "
                     f"{_kb(item['served_bytes'])} |")
    lines += [f"| **first visit** | | | {_kb(section['first_visit_raw_bytes'])} | "
              f"**{_kb(section['first_visit_served_bytes'])}** |", "",
              f"- HTML compressed: {_kb(section['html']['served_bytes'])} KB, goal ≤ {goals['html_kb']} KB: "
              f"**{'met' if goals['html_pass'] else 'NOT MET'}**",
              f"- First visit compressed: {_kb(section['first_visit_served_bytes'])} KB, goal ≤ {goals['first_visit_kb']} KB: "
              f"**{'met' if goals['first_visit_pass'] else 'NOT MET'}**"]
    if section.get("css_references_not_counted"):
        lines.append(f"- Not counted: {len(section['css_references_not_counted'])} font/image URLs in the CSS, "
                     "fetched only when a rule using them applies.")
    family = section.get("family_pages") or []
    if family:
        lines += ["", "The family's pages, each opened through its demo link by a fresh visitor (same goals):", "",
                  "| page | HTML served KB | first visit served KB | goals |", "| --- | ---: | ---: | --- |"]
        for page in family:
            if page.get("error"):
                lines.append(f"| {page['name']} | – | – | not measured: {page['error']} |")
                continue
            met = page["goals"]["html_pass"] and page["goals"]["first_visit_pass"]
            lines.append(f"| {page['name']} (`{page['page']}`) | {_kb(page['html_served_bytes'])} | "
                         f"{_kb(page['first_visit_served_bytes'])} | {'met' if met else '**NOT MET**'} |")
    return lines + [""]


def screening(section: dict) -> list[str]:
    lines = ["## Screening", "", _stamp(section), ""]
    if section.get("error"):
        return lines + [f"Not measured: {section['error']}", ""]
    lines += [f"- Built-in lists: {section['entries']} entries, {section['patterns']} patterns in "
              f"{section['pattern_sets']} sets; automaton built in {section['build_ms']} ms.",
              f"- Recall on {section['must_flag']} sentences that must flag: **{section['recall']:.1%}** (goal 100%).",
              f"- False positives on {section['must_not_flag']} ordinary answers: **{section['false_positive_rate']:.1%}** "
              "(goal ≤ 10%).",
              f"- Screening a {section['answer_chars']}-character answer: median {section['screen_ms_median']} ms, "
              f"p95 {section['screen_ms_p95']} ms."]
    for text in section.get("missed", []):
        lines.append(f"  - missed: {text}")
    if section.get("false_positives"):
        lines.append("- Flagged although ordinary: " + "; ".join(f"“{t}”" for t in section["false_positives"]))
    return lines + [""]


def load(section: dict) -> list[str]:
    lines = ["## Load with faults", "", _stamp(section), ""]
    if section.get("error"):
        return lines + [f"Not measured: {section['error']}", ""]
    c, p, b = section["config"], section["portal"], section["bare"]
    f, i, goals, before = section.get("fault", {}), section["integrity"], section["goals"], section["before"]
    lines += [f"{p['children_in']}/{c['children']} simulated children ({c['client']}), each from its own loopback "
              f"address ({c['addresses']}); server: {c['server']}. After a {c['warmup_s']:.0f} s warm-up (saved, "
              f"checked, not timed), {c['duration_s']:.0f} s of autosaves flat out on the `{c['question']}` answer (one per child, overwritten at every save); one worker "
              f"SIGKILLed {c['kill_after_s']:.0f} s in. Then the same children for {c['bare_duration_s']:.0f} s on a bare "
              "Flask route doing one `INSERT … ON CONFLICT` (`benchmarks/bare_app.py`, gunicorn, 2 workers, same "
              "PostgreSQL). Latency is per acknowledged save, as the client saw it.", "",
              "| | saves/s | p50 ms | p95 ms | p99 ms | max ms | failed requests |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]

    def row(name, figures, errors=None):
        lat = figures["latency_acknowledged"]
        return (f"| {name} | {figures['saves_per_s']} | {_ms(lat['p50_ms'])} | {_ms(lat['p95_ms'])} | "
                f"{_ms(lat['p99_ms'])} | {_ms(lat['max_ms'])} | {figures.get('errors', '–') if errors is None else errors} |")

    lines.append(row("portal autosave (whole run, kill included)", p))
    if "steady" in p:
        lines.append(row(f"portal autosave ({p['steady']['excluded']} left out)", p["steady"], "–"))
    lines.append(row("bare INSERT route", b))
    lines.append(f"| before (issue 10) portal / bare | {before['portal_saves_per_s']} / {before['bare_saves_per_s']} | | "
                 f"{before['portal_p95_ms']} / {before['bare_p95_ms']} | | | |")
    met = section["goals_met"]
    lines += ["",
              f"- Portal/bare saves per second: **{section['ratio_saves_per_s']}×** "
              f"({section.get('ratio_steady_saves_per_s')}× with the kill's seconds left out); goal ≥ "
              f"{goals['ratio_to_bare']}×: **{'met' if met['ratio_to_bare'] else 'NOT MET'}**.",
              f"- Server CPU per acknowledged save (gunicorn + PostgreSQL + Redis): portal "
              f"{(section.get('server_cpu_ms_per_save') or {}).get('portal')} ms, bare "
              f"{(section.get('server_cpu_ms_per_save') or {}).get('bare')} ms: the ratio this implies on the same cores "
              f"is **{section.get('ratio_from_cpu_per_save')}×**, whatever else runs. Other work on the machine took "
              f"{_share((section.get('other_work_share_of_cores') or {}).get('portal'))} of the cores during the portal "
              f"phase and {_share((section.get('other_work_share_of_cores') or {}).get('bare'))} during the bare phase "
              "(the two phases run one after the other, so the measured ratio moves with it).",
              f"- Portal p95 {_ms(p['latency_acknowledged']['p95_ms'])} ms flat out; goal ≤ {goals['p95_ms']} ms: "
              f"**{'met' if met['p95_ms'] else 'NOT MET'}**.",
              f"- With {c['children']} children saving with no pause, each waits about {c['children']} / throughput "
              f"(Little's law): a p95 of {goals['p95_ms']} ms needs at least {c['children'] * 1000 // goals['p95_ms']} saves/s, "
              f"that is at most about {(p.get('cpu') or {}).get('cpus', 2) * goals['p95_ms'] * 1000 // (c['children'] * 1000):.0f}"
              " ms of CPU per save for everything on these cores (server and client).",
              f"- Fault: worker {f.get('killed_pid')} SIGKILLed at {f.get('killed_at_s')} s; gunicorn forked worker "
              f"{f.get('new_worker_pid')} {f.get('new_worker_after_s')} s later. Requests that failed around the kill: "
              f"{p.get('errors_around_kill')} {p.get('errors_around_kill_kinds') or ''} (not acknowledged, so not owed); "
              f"in the whole run {p['errors']} failed, {p['conflicts']} conflicts. Acknowledged saves in the 5 s "
              f"before / after the kill: {p.get('acknowledged_5s_before_kill')} / {p.get('acknowledged_5s_after_kill')}.",
              f"- **Integrity: {'PASS' if i['passed'] else 'FAIL'}**: {i.get('acknowledged', 0)} acknowledged saves "
              f"(warm-up included) of {i.get('children', 0)} children; lost {i['problem_counts']['lost']}, duplicated "
              f"{i['problem_counts']['duplicated']}, out of order {i['problem_counts']['not_increasing']}, unexplained "
              f"{i['problem_counts']['unexplained']}. Final stored answer = last acknowledged: "
              f"{i.get('final_matches_last_acknowledged', 0)} children; saves committed whose answer was lost in the "
              f"kill: {i.get('committed_without_acknowledgement', 0) + i.get('final_is_a_save_whose_answer_was_lost', 0)}.",
              "  Checked: acknowledged versions rise one at a time per child with none acknowledged twice; no later "
              "answer shows an acknowledged version going back or replaced at the same version; each child's stored "
              "text and version in PostgreSQL are their last acknowledged ones; every version increment is accounted "
              "for by a save the child sent."]
    for key in ("lost", "duplicated", "not_increasing", "unexplained"):
        for problem in i.get(key, [])[:10]:
            lines.append(f"  - {key}: `{problem}`")
    if p.get("start_errors"):
        lines.append(f"- Children who could not start: {p['start_errors'][:5]}")
    for name, figures in (("portal", p), ("bare route", b)):
        cpu = figures.get("cpu") or {}
        if cpu:
            per = cpu.get("ms_per_save") or {}
            lines.append(f"- CPU during the {name} phase: {cpu['busy_fraction']:.0%} of {cpu['cpus']} cores busy; seconds: "
                         + ", ".join(f"{k} {v}" for k, v in cpu["cpu_seconds"].items())
                         + (f" (busiest others: {', '.join(f'`{k}` {v}' for k, v in cpu['busiest_other_processes'].items())})"
                            if cpu.get("busiest_other_processes") else "")
                         + (f". CPU ms per acknowledged save: gunicorn {per.get('gunicorn')}, PostgreSQL (all databases) "
                            f"{per.get('postgres (all databases)')}, Redis {per.get('redis')}, client {per.get('load client')}."
                            if per else "."))
    profile = section.get("save_profile") or {}
    if profile.get("error"):
        lines.append(f"- One save alone: not profiled ({profile['error']}).")
    elif profile:
        lines += ["", f"One save alone, in-process with Flask's test client on the same PostgreSQL and Redis "
                      f"(`{profile['command']}`): **{profile['cpu_ms_per_save']} ms CPU** and {profile['wall_ms_per_save']} ms "
                      f"wall per save; **{profile['sql_statements_per_save']} SQL statements** in this order: "
                      f"{', '.join(profile['sql_in_order'])}; besides them "
                      f"{', '.join(f'{k} ×{v}' for k, v in profile['transaction_and_pool'].items())}; Redis "
                      f"{', '.join(f'{k} ×{v}' for k, v in profile['redis'].items())}. Where the time goes (cProfile, "
                      "wall time, portal functions by cumulative time per save):", "",
                  "| function | calls/save | cumulative ms | own ms |", "| --- | ---: | ---: | ---: |"]
        for row in profile["profile_portal_cumulative"][:12]:
            lines.append(f"| `{row['function']}` | {row['calls_per_save']} | {row['cumulative_ms_per_save']} | "
                         f"{row['own_ms_per_save']} |")
    lines += ["", f"Acknowledged saves per second, portal: `{' '.join(map(str, p['acknowledged_per_second']))}`",
              "", f"Failed requests per second, portal: `{' '.join(map(str, p['errors_per_second']))}`", ""]
    if p.get("locust"):
        lines += ["Locust's own figures (its percentiles are rounded; the ones above are exact):", "",
                  "| request | count | failures | p50 ms | p95 ms | p99 ms |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for source in (p, b):
            for name, entry in (source.get("locust") or {}).items():
                if name != "Aggregated":
                    lines.append(f"| {name} | {entry['requests']} | {entry['failures']} | {entry['p50_ms']} | "
                                 f"{entry['p95_ms']} | {entry['p99_ms']} |")
        lines.append("")
    return lines


def lighthouse(section: dict) -> list[str]:
    lines = ["## Lighthouse (mobile)", "", _stamp(section), ""]
    pages = section.get("pages") or {}
    if section.get("error") and not any(page.get("scores") for page in pages.values()):
        return lines + [f"Not measured: {section['error']}", ""]
    first = next((page for page in pages.values() if page.get("scores")), {})
    lines += [f"{first.get('lighthouse_version') and 'Lighthouse ' + first['lighthouse_version'] or section.get('lighthouse')}"
              f", {first.get('form_factor', 'mobile')}, `{section.get('chrome')}` "
              f"({(first.get('browser') or '').split(' ')[-2] if first.get('browser') else ''}); {section.get('server')}.",
              "", "| page | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    notes, seo_note = [], None
    for name, page in pages.items():
        if not page.get("scores"):
            lines.append(f"| {name} (`{page.get('path')}`) | not scored: {page.get('error')} | | | | | | | |")
            continue
        s, m = page["scores"], page.get("metrics", {})
        seo = "n/a" if s.get("seo") is None else s.get("seo")
        lines.append(f"| {name} (`{page.get('path')}`) | {s.get('performance')} | {s.get('accessibility')} | "
                     f"{s.get('best-practices')} | {seo} | {m.get('first-contentful-paint')} | "
                     f"{m.get('largest-contentful-paint')} | {m.get('total-blocking-time')} | "
                     f"{m.get('cumulative-layout-shift')} |")
        for category, audits in (page.get("below_full_marks") or {}).items():
            if category != "seo":
                notes.append(f"- {name}, {category}: {', '.join(audits)}")
        if page.get("seo_note"):
            seo_note = page["seo_note"]
    lines.append("")
    if seo_note:
        lines.append(f"SEO: {seo_note}.")
    lines += notes
    return lines + [""]


def letters(section: dict) -> list[str]:
    lines = ["## The letter to the child", "", _stamp(section), ""]
    if section.get("error"):
        return lines + [f"Not measured: {section['error']}", ""]
    pdf, reading = section["pdf"], section["reading_page"]
    lines += ["| what | measured | goal | |", "|---|---|---|---|",
              f"| seconds per PDF ({pdf['pages']} pages, median of {pdf['runs']}) | {pdf['median_seconds']} s "
              f"(slowest {pdf['slowest_seconds']} s; first in a process {pdf['first_seconds']} s) | "
              f"≤ {pdf['goal_seconds']} s | {'met' if pdf['pass'] else 'NOT met'} |"]
    if reading.get("error"):
        lines.append(f"| reading page | not measured: {reading['error']} | | |")
    else:
        goals = reading["goals"]
        lines += [f"| reading page HTML, compressed | {_kb(reading['html_served_bytes'])} KB | ≤ {goals['html_kb']} KB "
                  f"| {'met' if goals['html_pass'] else 'NOT met'} |",
                  f"| reading page first visit, compressed | {_kb(reading['first_visit_served_bytes'])} KB | "
                  f"≤ {goals['first_visit_kb']} KB | {'met' if goals['first_visit_pass'] else 'NOT met'} |"]
    return lines + ["", f"Command: `{section.get('command', 'python -m benchmarks.letters')}`", ""]


def insights(section: dict) -> list[str]:
    lines = ["## The collated views at scale", "", _stamp(section), ""]
    if section.get("error"):
        return lines + [f"Not measured: {section['error']}", ""]
    lines += [f"The {section['year']} dashboard for the whole service (every section's figures; median of 3 after a "
              "warm-up) against the bare `GROUP BY question_key, value_choice` over feedback_answer and booklet_answer "
              f"(all years), in the same run. Goal: the dashboard within {section['goal_ratio']}× the bare queries.",
              "", "| database | answer rows | dashboard | bare GROUP BY | ratio | |", "|---|---|---|---|---|---|"]
    for entry in section["databases"]:
        if entry.get("error"):
            lines.append(f"| {entry['database']} | not measured: {entry['error']} | | | | |")
            continue
        lines.append(f"| {entry['database']} | {entry['answer_rows']:,} | {entry['dashboard_seconds']:.3f} s | "
                     f"{entry['bare_seconds']:.3f} s | {entry['ratio']}× | {'met' if entry['pass'] else 'NOT met'} |")
    for entry in section["databases"]:
        if entry.get("error"):
            continue
        rows = entry["rows"]
        lines += ["", f"{entry['database']}: {rows['booklet_answer']:,} booklet answers, {rows['feedback_answer']:,} "
                  f"feedback answers, {rows['consultation_answer']:,} consultation answers; {rows['review']:,} reviews, "
                  f"{rows['booklet']:,} booklets, {rows['feedback_response']:,} feedback responses (loaded in "
                  f"{entry['load_seconds']} s). Sections: " + ", ".join(
                      f"{key} {value['seconds'] * 1000:.0f} ms ({value['statements']} statements)"
                      for key, value in entry["sections"].items()) + "."]
    return lines + ["", f"Command: `{section.get('command', 'python -m benchmarks.insights')}`", ""]


def caseload(section: dict) -> list[str]:
    lines = ["## The caseload pages at a service's size", "", _stamp(section), ""]
    if section.get("error"):
        return lines + [f"Not measured: {section['error']}", ""]
    lines += [f"{section['children']:,} children, 30 IROs in 3 teams, with their reviews, booklets, letters, feedback "
              f"invitations, messages and concerns; each page requested through the Flask test client signed in "
              f"(median of {section['runs']} warm requests). Goal: the manager's view under {section['goal_ms']:.0f} ms "
              "on PostgreSQL.", "", "| database | page | median | SQL statements | time in SQL | |",
              "|---|---|---|---|---|---|"]
    for entry in section["databases"]:
        if entry.get("error"):
            lines.append(f"| {entry['database']} | not measured: {entry['error']} | | | | |")
            continue
        for key, page in entry["pages"].items():
            verdict = ("met" if entry["pass"] else "NOT met") if key == "manager_service" else ""
            lines.append(f"| {entry['database']} | `{page['path']}` | {_ms(page['median_ms'])} ms | "
                         f"{page['statements']} | {_ms(page['sql_ms'])} ms | {verdict} |")
    return lines + ["", f"Command: `{section.get('command', 'python -m benchmarks.caseload')}`", ""]


def audio(section: dict) -> list[str]:
    lines = ["## Listen's own audio", "", _stamp(section), ""]
    if section.get("error"):
        return lines + [f"Not measured: {section['error']}", ""]
    goal = section["goal_bytes_per_sentence"]
    lines += [f"Every fixed text rendered as the portal serves it (`{section['encoding']}`). A text's size per sentence "
              f"is its file's size divided by its sentences. Goal: at most {_kb(goal)} KB a sentence.", "",
              "| language | texts | KB in all | seconds of speech | render s | KB/sentence median | p95 | max | over goal |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for lang, entry in section["languages"].items():
        lines.append(f"| {lang} | {entry['texts']} | {_kb(entry['total_bytes'])} | {entry['speech_seconds']} | "
                     f"{entry['render_seconds']} | {_kb(entry['bytes_per_sentence_median'])} | "
                     f"{_kb(entry['bytes_per_sentence_p95'])} | {_kb(entry['bytes_per_sentence_max'])} | "
                     f"{entry['over_goal']} |")
    for lang, entry in section["languages"].items():
        for row in entry.get("largest", [])[:2]:
            lines.append(f"- {lang}, largest: {_kb(row['bytes'])} KB, {row['seconds']} s: “{row['text']}”")
    return lines + [""]


def shortfalls(data: dict) -> list[str]:
    found = []
    for name in ("page_weight", "screening", "load", "lighthouse", "letters", "insights"):
        if name not in data:
            found.append(f"- {name}: no figures (the step did not run)")
        elif data[name].get("error") and not (name == "lighthouse" and data[name].get("pages")):
            found.append(f"- {name}: not measured ({data[name]['error']})")
    goals = (data.get("page_weight") or {}).get("goals") or {}
    if goals and not goals.get("html_pass"):
        found.append("- page weight: HTML over its goal")
    if goals and not goals.get("first_visit_pass"):
        found.append("- page weight: first visit over its goal")
    for page in (data.get("page_weight") or {}).get("family_pages") or []:
        if page.get("error") or not (page["goals"]["html_pass"] and page["goals"]["first_visit_pass"]):
            found.append(f"- page weight: {page['name']} {page.get('error') or 'over its goal'}")
    letter = data.get("letters") or {}
    if letter.get("pdf") and not letter["pdf"]["pass"]:
        found.append(f"- letters: {letter['pdf']['median_seconds']} s per PDF (goal ≤ {letter['pdf']['goal_seconds']} s)")
    goals = (letter.get("reading_page") or {}).get("goals") or {}
    if goals and not (goals.get("html_pass") and goals.get("first_visit_pass")):
        found.append("- letters: the reading page is over its weight goal")
    for entry in (data.get("insights") or {}).get("databases") or []:
        if entry.get("error"):
            found.append(f"- insights: {entry['database']} not measured ({entry['error']})")
        elif not entry.get("pass"):
            found.append(f"- insights: {entry['database']} dashboard {entry['ratio']}× the bare GROUP BY "
                         f"(goal ≤ {data['insights'].get('goal_ratio')}×)")
    for entry in (data.get("caseload") or {}).get("databases") or []:
        if entry.get("error"):
            found.append(f"- caseload: {entry['database']} not measured ({entry['error']})")
        elif entry["database"] == "postgresql" and not entry.get("pass"):
            found.append(f"- caseload: the manager's view {entry['pages']['manager_service']['median_ms']:.0f} ms on "
                         f"PostgreSQL (goal < {data['caseload'].get('goal_ms', 300):.0f} ms)")
    sound = data.get("audio") or {}
    for lang, entry in (sound.get("languages") or {}).items():
        if entry.get("over_goal"):
            found.append(f"- audio: {entry['over_goal']} {lang} texts over {_kb(sound['goal_bytes_per_sentence'])} KB "
                         "a sentence (long single sentences)")
    s = data.get("screening") or {}
    if "recall" in s and s["recall"] < 1:
        found.append(f"- screening: recall {s['recall']:.1%} (goal 100%)")
    if "false_positive_rate" in s and s["false_positive_rate"] > 0.10:
        found.append(f"- screening: false positives {s['false_positive_rate']:.1%} (goal ≤ 10%)")
    load_section = data.get("load") or {}
    met = load_section.get("goals_met") or {}
    if met and not met.get("p95_ms"):
        found.append(f"- load: portal p95 {_ms(load_section['portal']['latency_acknowledged']['p95_ms'])} ms "
                     f"(goal ≤ {load_section['goals']['p95_ms']} ms)")
    if met and not met.get("ratio_to_bare"):
        found.append(f"- load: portal/bare {load_section['ratio_saves_per_s']}× (goal ≥ {load_section['goals']['ratio_to_bare']}×)")
    if met and not met.get("nothing_lost_or_duplicated"):
        found.append("- load: an acknowledged save was lost or duplicated (see Load with faults)")
    for name, page in ((data.get("lighthouse") or {}).get("pages") or {}).items():
        for category, value in (page.get("scores") or {}).items():
            if category != "seo" and value is not None and value < 90:
                found.append(f"- Lighthouse: {name} {category} {value}")
    return ["## What falls short", ""] + (found or ["Nothing: every goal above is met."]) + [""]


def render(data: dict) -> str:
    lines = ["# Benchmarks (`make bench`)", "",
             "Written by `python -m benchmarks.report` from `bench/results.json`; every figure below was "
             "measured on the machine named in its section, while anything else running there shared its cores.", ""]
    lines += shortfalls(data)
    for name, render_section in (("page_weight", page_weight), ("screening", screening), ("load", load),
                                 ("lighthouse", lighthouse), ("letters", letters), ("insights", insights),
                                 ("caseload", caseload), ("audio", audio)):
        if name in data:
            try:
                lines += render_section(data[name])
            except (KeyError, TypeError) as error:
                lines += [f"## {name}", "", f"(results.json's section could not be read: {error!r})", ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    text = render(read_all())
    OUT.write_text(text, encoding="utf-8")
    print(text)
    print(f"Written to {OUT.relative_to(OUT_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
