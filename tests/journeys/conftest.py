"""Browser journeys: a live server on a demo-like data set, Debian's Chromium, axe on every page."""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from portal.extensions import db
from tests.conftest import make_test_app

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / "test-results" / "screenshots"
PHONE_WIDTH = 375
# Demo sign-ins (portal/demo.py).
IRO = ("iro@example.org", "iro-demo-password")
IRO2 = ("iro2@example.org", "iro2-demo-password")
MANAGER = ("manager@example.org", "manager-demo-password")


def pytest_collection_modifyitems(config, items):
    """Every test in this folder drives a browser (or a live server): mark it `browser`."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# ---------------------------------------------------------------- the live server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request drowns the test output
        pass


@dataclass
class BookletLink:
    url: str
    token: str
    review_id: int
    child_name: str


class LiveServer:
    """The app served on a free local port by werkzeug, in a daemon thread."""

    def __init__(self, tmp_path: Path, **overrides) -> None:
        overrides.setdefault("RATELIMIT_ENABLED", False)  # every journey signs in from 127.0.0.1
        self.app = make_test_app("sqlite", tmp_path, **overrides)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # Links the app writes (booklet links, outbox messages) must lead back here.
        self.app.config["BASE_URL"] = self.url
        from portal.demo import load_demo_data

        with self.app.app_context():
            self.demo = load_demo_data()
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def run(self, function, *args, **kwargs):
        """Call function inside the app (database and all), commit, and return its result."""
        with self.app.app_context():
            try:
                result = function(*args, **kwargs)
                db.session.commit()
                return result
            finally:
                db.session.remove()

    def booklet_link(self, *, age: int, name: str = "Sam", iro_email: str = IRO[0], language: str = "en",
                     days_ahead: int = 20) -> BookletLink:
        """A new child of this age with a planned review, its booklet and a fresh private link."""

        def make() -> BookletLink:
            from portal.booklet.services import booklet_for_review, issue_booklet_link
            from portal.staff.models import StaffUser
            from tests import factories

            iro = db.session.scalar(db.select(StaffUser).filter_by(email=iro_email))
            child = factories.child(iro, age=age, preferred_name=name, preferred_language=language)
            review = factories.review(child, days_ahead=days_ahead)
            booklet_for_review(review)
            url, _short = issue_booklet_link(review)
            return BookletLink(url=url, token=url.rsplit("/l/", 1)[1], review_id=review.id, child_name=name)

        return self.run(make)

    def link_record(self, token: str):
        """The stored PrivateLink for a token, detached, for assertions."""
        from portal.links.models import PrivateLink
        from portal.links.services import hash_token

        def read():
            link = db.session.scalar(db.select(PrivateLink).filter_by(token_sha256=hash_token(token)))
            db.session.expunge(link)
            return link

        return self.run(read)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """One server per test module; each test makes its own children and links."""
    server = LiveServer(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture
def make_live_server(tmp_path):
    """A server of a test's own, for settings that differ (for example a short CSRF time)."""
    servers = []

    def start(**overrides) -> LiveServer:
        server = LiveServer(tmp_path / f"live{len(servers)}", **overrides)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# ---------------------------------------------------------------- Playwright on Debian's Chromium


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-playwright's own, which pytest 9 warns about (warnings are errors here)."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed: run make test, which installs it")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--use-fake-device-for-media-stream",
                 "--use-fake-ui-for-media-stream"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": PHONE_WIDTH, "height": 812}, "is_mobile": False,
            "locale": "en-GB"}


@pytest.fixture(scope="session")
def axe_renderer(browser, browser_context_args):
    """A page with JavaScript on, where a no-JavaScript page's HTML is re-shown for axe (axe needs scripts)."""
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def no_js_context(new_context):
    """A browser context with JavaScript off: everything must still work with plain form posts."""
    return new_context(java_script_enabled=False)


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def js_enabled(request) -> bool:
    return request.param


# ---------------------------------------------------------------- axe


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation.get("nodes", [])[:5]:
            lines.append(f"    at {node.get('target')}: {node.get('html', '')[:200]}")
    return "\n".join(lines)


def axe_check(page, renderer=None) -> None:
    """No axe violations on the page as it stands. With JavaScript off, axe runs on a copy of the page's
    HTML (scripts removed, so it shows as it did) in `renderer`, a page that has JavaScript."""
    from axe_playwright_python.sync_playwright import Axe

    target = page
    if renderer is not None:
        url = page.url
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)

        def matches(address: str) -> bool:
            return address == url

        renderer.route(matches, lambda route: route.fulfill(status=200, body=html,
                                                            content_type="text/html; charset=utf-8"))
        try:
            renderer.goto(url)
        finally:
            renderer.unroute(matches)
        target = renderer
    results = Axe().run(target)
    violations = results.response.get("violations", [])
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} accessibility problem(s) on {page.url}:\n{_describe(violations)}")


# ---------------------------------------------------------------- the journey helper


class Journey:
    """One person's browser: every page it reaches is checked by axe."""

    def __init__(self, page, server: LiveServer, *, js: bool = True, renderer=None) -> None:
        self.page = page
        self.server = server
        self.js = js
        self.renderer = None if js else renderer
        self.pages_checked: list[str] = []
        page.set_default_timeout(15_000)

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.server.url + path

    def check(self) -> None:
        """axe on the page now showing (called after every page load)."""
        self.page.wait_for_load_state("load")
        axe_check(self.page, self.renderer)
        self.pages_checked.append(self.page.url)

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        self.check()
        return response

    def _navigate(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()
        self.check()

    def press(self, name: str, *, exact: bool = False) -> None:
        """Press a button that submits a form (or a link styled as a button) and check the new page."""
        self._navigate(self.button(name, exact=exact))

    def follow(self, name: str, *, exact: bool = False) -> None:
        """Follow a link (or a link drawn as a button) and check the new page."""
        self._navigate(self.button(name, exact=exact))

    def button(self, name: str, *, exact: bool = False):
        """A button, or a link (GOV.UK start buttons are links with role=button)."""
        page = self.page
        return page.get_by_role("button", name=name, exact=exact).or_(
            page.get_by_role("link", name=name, exact=exact)).first

    def fill(self, label: str, value: str, *, exact: bool = False) -> None:
        self.page.get_by_label(label, exact=exact).first.fill(value)

    def choose(self, label: str, *, exact: bool = True) -> None:
        """Tick a radio or checkbox by its label."""
        self.page.get_by_label(label, exact=exact).first.check()

    def heading(self) -> str:
        return self.page.get_by_role("heading", level=1).first.inner_text()

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    def sign_in(self, email: str, password: str) -> None:
        self.goto("/sign-in")
        self.fill("Email", email)
        self.fill("Password", password)
        self.press("Sign in", exact=True)

    def welsh(self) -> None:
        """Switch to Welsh with the language switcher, as a person would."""
        self.follow("Cymraeg", exact=True)

    def english(self) -> None:
        self.follow("English", exact=True)

    def screenshot(self, name: str) -> None:
        """A phone-sized picture for people to look at (not asserted)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def no_horizontal_scroll(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, f"{self.page.url} is {width}px wide at {PHONE_WIDTH}px: it scrolls sideways"


@pytest.fixture
def open_browser(new_context, live_server, axe_renderer):
    """Open a new browser (its own cookies, like another device) on the module's live server."""

    def open_(*, js: bool = True, server: LiveServer | None = None, **context_args) -> Journey:
        context = new_context(java_script_enabled=js, **context_args)
        return Journey(context.new_page(), server or live_server, js=js, renderer=axe_renderer)

    return open_
