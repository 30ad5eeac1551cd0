"""Page weight of the child's and the family's pages: `python -m benchmarks.page_weight` (run by `make bench`).

Builds the portal on a throwaway SQLite database with the demo data, starts a 12-17 booklet through
its real private link (pressing Start, as a child would), then fetches the heaviest section page and
everything it makes a first-time visitor download, all with `Accept-Encoding: br, gzip`, and reports
the sizes as served. The same for the feedback forms (parent or carer, professional) and the parent's
consultation page, each opened through its demo link by a fresh visitor. Goals: the page's HTML at most 14 KB compressed (one TCP round trip's worth) and
the whole first visit at most 60 KB compressed. Writes the "page_weight" section of bench/results.json.
Always exits 0: it is a report.
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import brotli

from benchmarks.results import write_section

HERE = Path(__file__).resolve().parent
SECTION_PATHS = ("/booklet/how_things_are", "/booklet")  # the heaviest page, or the contents until it exists
HTML_GOAL_KB = 14
FIRST_VISIT_GOAL_KB = 60
ACCEPT = {"Accept-Encoding": "br, gzip"}


@dataclass
class Item:
    path: str
    kind: str
    status: int
    encoding: str
    raw_bytes: int
    served_bytes: int


class _References(HTMLParser):
    """Everything a browser fetches for the page on a first visit: stylesheets, icons, scripts, images."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href") and {"stylesheet", "icon", "preload", "modulepreload"} & set(
                (attrs.get("rel") or "").split()):
            self.found.append(("css" if "stylesheet" in attrs["rel"] else "link", attrs["href"]))
        elif tag == "script" and attrs.get("src"):
            self.found.append(("js", attrs["src"]))
        elif tag in ("img", "source", "audio", "video") and attrs.get("src"):
            self.found.append(("image" if tag == "img" else "media", attrs["src"]))


_IMPORT = re.compile(r"""(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)""")
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


def _decoded(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    return body


def _fetch(client, path: str, kind: str) -> tuple[Item, bytes]:
    response = client.get(path, headers=ACCEPT)
    try:
        body = response.get_data()
    finally:
        response.close()
    encoding = response.headers.get("Content-Encoding", "")
    raw = _decoded(body, encoding)
    return Item(path, kind, response.status_code, encoding or "none", len(raw), len(body)), raw


def _build_app(tmp: Path):
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app({
        "SECRET_KEY": "benchmark-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "SESSION_FILE_DIR": str(tmp / "sessions"),
        "HUEY_IMMEDIATE": True,
        "HUEY_SQLITE_PATH": str(tmp / "jobs.sqlite3"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "http://localhost",
    })
    with app.app_context():
        upgrade()
    return app


ORIGIN = {"Origin": "http://localhost"}  # a post from the portal's own page, as a browser sends it


def _demo_links(app) -> list[dict]:
    from portal.demo import load_demo_data

    with app.app_context():
        return load_demo_data()["links"]


def _press_start(client, link: dict) -> str:
    """Open a demo link and press Start; return the path the person lands on."""
    landing_path = urlsplit(link["url"]).path
    if client.get(landing_path).status_code != 200:
        raise SystemExit(f"The landing page {landing_path} did not open")
    response = client.post(landing_path, headers=ORIGIN)
    if response.status_code not in (302, 303):
        raise SystemExit(f"Pressing Start answered {response.status_code}, not a redirect")
    return urlsplit(response.headers["Location"]).path


def _first_visit(client, page: Item, html: bytes) -> dict:
    """The page and everything a first-time visitor's browser downloads for it."""
    parser = _References()
    parser.feed(html.decode("utf-8", "replace"))
    assets: list[Item] = []
    seen = {page.path}
    queue = [(kind, urljoin(page.path, href)) for kind, href in parser.found]
    referenced_by_css: list[str] = []
    while queue:
        kind, path = queue.pop(0)
        path = urlsplit(path).path if urlsplit(path).netloc in ("", "localhost") else None
        if not path or path in seen:
            continue
        seen.add(path)
        item, body = _fetch(client, path, kind)
        assets.append(item)
        text = body.decode("utf-8", "replace") if kind in ("js", "css") else ""
        if kind == "js":  # static module imports download before the script runs
            for match in _IMPORT.finditer(text):
                target = match.group(1) or match.group(2)
                if target.startswith((".", "/")):
                    queue.append(("js", urljoin(path, target)))
        elif kind == "css":  # fonts and images load only if a rule that uses them matches
            referenced_by_css += sorted({urljoin(path, u) for u in _CSS_URL.findall(text)
                                         if not u.startswith("data:")})
    first_visit = [page] + assets
    served_total = sum(i.served_bytes for i in first_visit)
    return {
        "page": page.path,
        "html": asdict(page),
        "assets": [asdict(i) for i in assets],
        "first_visit_raw_bytes": sum(i.raw_bytes for i in first_visit),
        "first_visit_served_bytes": served_total,
        "css_references_not_counted": referenced_by_css,
        "goals": {
            "html_kb": HTML_GOAL_KB, "html_pass": page.served_bytes <= HTML_GOAL_KB * 1024,
            "first_visit_kb": FIRST_VISIT_GOAL_KB, "first_visit_pass": served_total <= FIRST_VISIT_GOAL_KB * 1024,
        },
    }


def _family_pages(app, links: list[dict]) -> list[dict]:
    """The feedback forms and the parent's consultation page, each for a fresh visitor (goals as the booklet's)."""
    measured = []
    for link in links:
        name = link.get("group") if link["kind"] == "feedback" else link["kind"]
        if name not in ("parent_carer", "professional", "parent_consultation"):
            continue
        client = app.test_client()
        path = urlsplit(link["url"]).path
        if link["kind"] == "parent_consultation":
            path = _press_start(client, link)
        page, html = _fetch(client, path, "html")
        if page.status != 200:
            measured.append({"name": name, "error": f"{path} answered {page.status}"})
            continue
        visit = _first_visit(client, page, html)
        measured.append({"name": name, "page": "/l/…" if path.startswith("/l/") else path,
                         "html_served_bytes": page.served_bytes,
                         "first_visit_served_bytes": visit["first_visit_served_bytes"], "goals": visit["goals"]})
    return measured


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _booklet_screens(app, links: list[dict], version: str) -> list[dict]:
    """Every screen of one booklet version a child goes through (contents, each part, check, sent), each as a
    first visit (the pictures it shows included), through the version's demo link with Start pressed."""
    from portal.booklet.questions import CURRENT_SET, question_set

    link = next((item for item in links if item.get("version") == version), None)
    if link is None:
        return [{"name": version, "error": "no demo link"}]
    client = app.test_client()
    _press_start(client, link)
    paths = ["/booklet", *(f"/booklet/{s.key}" for s in question_set(CURRENT_SET[version]).sections),
             "/booklet/check", "/booklet/sent"]
    measured = []
    for path in paths:
        if path == "/booklet/sent":  # sent once, as the child would
            token = _CSRF.search(client.get("/booklet/check").get_data(as_text=True))
            client.post("/booklet/send", data={"csrf_token": token.group(1) if token else ""}, headers=ORIGIN)
        page, html = _fetch(client, path, "html")
        if page.status != 200:
            measured.append({"name": path, "error": f"{path} answered {page.status}"})
            continue
        visit = _first_visit(client, page, html)
        measured.append({"name": path, "page": path, "html_served_bytes": page.served_bytes,
                         "first_visit_served_bytes": visit["first_visit_served_bytes"], "goals": visit["goals"]})
    return measured


def measure() -> dict:
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        app = _build_app(Path(tmp))
        client = app.test_client()
        links = _demo_links(app)
        landed = _press_start(client, next(item for item in links if item.get("version") == "12-17"))
        for path in SECTION_PATHS:
            page, html = _fetch(client, path, "html")
            if page.status == 200:
                break
        else:
            raise SystemExit(f"No booklet page answered 200 (tried {', '.join(SECTION_PATHS)}; Start led to {landed})")
        result = _first_visit(client, page, html)
        result["family_pages"] = _family_pages(app, links)
        result["booklet_4_11"] = _booklet_screens(app, links, "4-11")
        result["booklet_4_7"] = _booklet_screens(app, links, "4-7")
    return result


def _kb(n: int) -> str:
    return f"{n / 1024:7.1f}"


def report(result: dict) -> str:
    lines = [f"Page weight of {result['page']} (12-17 booklet, first visit, Accept-Encoding: br, gzip)", "",
             f"{'file':48} {'kind':5} {'enc':5} {'raw KB':>7} {'served KB':>9}"]
    for item in [result["html"]] + result["assets"]:
        flag = "" if item["status"] == 200 else f"  (HTTP {item['status']})"
        lines.append(f"{item['path'][:48]:48} {item['kind']:5} {item['encoding']:5} {_kb(item['raw_bytes'])} "
                     f"{_kb(item['served_bytes']):>9}{flag}")
    lines.append(f"{'first visit total':48} {'':5} {'':5} {_kb(result['first_visit_raw_bytes'])} "
                 f"{_kb(result['first_visit_served_bytes']):>9}")
    goals = result["goals"]
    lines += ["",
              f"HTML compressed:        {_kb(result['html']['served_bytes']).strip()} KB  goal <= {goals['html_kb']} KB  "
              f"{'PASS' if goals['html_pass'] else 'OVER'}",
              f"First visit compressed: {_kb(result['first_visit_served_bytes']).strip()} KB  goal <= "
              f"{goals['first_visit_kb']} KB  {'PASS' if goals['first_visit_pass'] else 'OVER'}"]
    if result["css_references_not_counted"]:
        lines.append(f"(Not counted: {len(result['css_references_not_counted'])} font/image URLs in the CSS, "
                     "fetched only when a rule using them applies.)")
    for family in result.get("family_pages", []) + result.get("booklet_4_11", []) + result.get("booklet_4_7", []):
        if family.get("error"):
            lines.append(f"{family['name']}: not measured ({family['error']})")
            continue
        goals = family["goals"]
        lines.append(f"{family['name']:20} HTML {_kb(family['html_served_bytes']).strip()} KB "
                     f"({'PASS' if goals['html_pass'] else 'OVER'}), first visit "
                     f"{_kb(family['first_visit_served_bytes']).strip()} KB "
                     f"({'PASS' if goals['first_visit_pass'] else 'OVER'})")
    return "\n".join(lines)


def main() -> int:
    try:
        result = measure()
        print(report(result))
    except (Exception, SystemExit) as error:  # noqa: BLE001 - a report: say what went wrong, let the others run
        result = {"error": str(error) if isinstance(error, SystemExit) else f"{error.__class__.__name__}: {error}"}
        print(f"Page weight: not measured ({result['error']})")
    path = write_section("page_weight", {"command": "python -m benchmarks.page_weight", **result})
    print(f"\nWritten to {path.relative_to(HERE.parent)} (section \"page_weight\")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
