"""The simulated children: `python -m benchmarks.load_client CONFIG.json` (run by benchmarks.load_with_faults).

A process of its own because Locust monkey-patches the standard library with gevent on import. Locust in
library mode (locust.env.Environment + FastHttpUser), one user per child, each bound to its own loopback
address (127.0.x.y: Linux routes all of 127.0.0.0/8 to lo) and sending it as X-Forwarded-For, as the TLS
proxy in front of gunicorn would, so the per-address limits apply as they would to real children.

mode "portal": each child opens their link (GET), presses Start (POST from the page: Origin), opens the
'Good news' section (GET: the autosave CSRF token and the answer's version, as static/js/booklet.js reads
them), waits until every child is in, then saves the answer flat out through the JSON autosave (a few seconds'
warm-up, recorded but not timed, then the timed phase) until the phase ends, each save carrying the version the last acknowledged save returned. mode "bare": the same
children POST to the throwaway bare route (benchmarks/bare_app.py) flat out.

Every save is recorded (when, how long, what was sent, what came back); the file is written at the end.
Prints "PHASE_STARTED <epoch>" when the timed phase begins (after the warm-up), so the caller can time its fault.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import time
from http.cookiejar import DefaultCookiePolicy

import gevent
from gevent.event import Event
from geventhttpclient.url import URL
from locust import FastHttpUser, events, task
from locust.env import Environment
from locust.exception import StopUser
from locust.log import setup_logging

IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUESTION = "good_news"
VERSION = re.compile(r'name="good_news__version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="good_news__version"')

config: dict = {}
slots: list[dict] = []
ready = Event()     # every child is in (or the start time-out passed): the timed phase begins
finished = Event()  # every child has stopped
counts = {"ready": 0, "done": 0}
phase = {"warmup_started": None, "started": None, "deadline": None}


class _NeverSend(DefaultCookiePolicy):
    """Cookies are sent by hand: the portal's are Secure (TLS ends at the proxy), as in production."""

    def return_ok(self, cookie, request):
        return False


def _bind_to(user: FastHttpUser, address: str) -> None:
    """Every connection this user opens comes from its own loopback address."""
    pool = user.client.client.clientpool.get_client(URL(user.host))._connection_pool

    def create_tcp_socket(family, socktype, protocol):
        sock = gevent.socket.socket(family, socktype, protocol)
        sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        sock.bind((address, 0))
        return sock

    pool._create_tcp_socket = create_tcp_socket


def _arrived() -> None:
    counts["ready"] += 1
    if counts["ready"] >= len(slots) and not ready.is_set():
        _begin_phase()


def _begin_phase() -> None:
    """Everyone in: warm up (both workers build their caches and pools) for a few seconds, then time."""
    if ready.is_set():
        return
    phase["warmup_started"] = time.time()
    phase["started"] = phase["warmup_started"] + config["warmup"]
    phase["deadline"] = phase["started"] + config["duration"]
    print(f"WARMUP_STARTED {phase['warmup_started']:.3f}", flush=True)
    gevent.spawn_later(config["warmup"], lambda: print(f"PHASE_STARTED {phase['started']:.3f}", flush=True))
    ready.set()


def _left() -> None:
    counts["done"] += 1
    if counts["done"] >= len(slots):
        finished.set()


class Child(FastHttpUser):
    abstract = True  # made concrete in main() with the host
    network_timeout = 10.0
    connection_timeout = 10.0
    max_redirects = 0
    max_retries = 1
    concurrency = 1
    _next = 0

    def on_start(self) -> None:
        self.slot = slots[Child._next]
        Child._next += 1
        self.slot.update(records=[], started=False, start_error=None)
        self.address = self.slot["address"]
        _bind_to(self, self.address)
        self.client.cookiejar.set_policy(_NeverSend())
        self.cookies: dict[str, str] = {}
        self.hostport = self.host.split("://", 1)[1]
        self.base_headers = {"X-Forwarded-For": self.address}
        if config["production"]:
            self.base_headers["X-Forwarded-Proto"] = "https"
        try:
            if config["mode"] == "portal":
                self._start_booklet()
            self.slot["started"] = True
        except Exception as error:  # noqa: BLE001 - recorded, and this child sits out the phase
            self.slot["start_error"] = f"{error.__class__.__name__}: {error}"
        _arrived()

    # --- helpers ------------------------------------------------------------------------------
    def _headers(self, path: str, extra: dict | None = None) -> dict:
        headers = dict(self.base_headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        scheme = "https" if config["production"] else "http"
        headers["Referer"] = f"{scheme}://{self.hostport}{path}"
        headers["Origin"] = f"{scheme}://{self.hostport}"
        headers.update(extra or {})
        return headers

    def _keep_cookies(self) -> None:
        for cookie in self.client.cookiejar:
            self.cookies[cookie.name] = cookie.value
        self.client.cookiejar.clear()

    def _request(self, method: str, path: str, name: str, **kwargs):
        response = self.client.request(method, path, name=name, **kwargs)
        self._keep_cookies()
        return response

    def _start_booklet(self) -> None:
        link = self.slot["path"]
        page = self._request("GET", link, "1 landing GET", headers=self._headers(link))
        if page.status_code != 200:
            raise RuntimeError(f"landing page answered {page.status_code}")
        if 'method="post"' not in (page.text or ""):
            raise RuntimeError("no Start form on the landing page")
        # The landing page keeps no token in a session: Start is accepted from the portal's own page (Origin).
        start = self._request("POST", link, "2 Start POST", data="",
                              headers=self._headers(link, {"Content-Type": "application/x-www-form-urlencoded"}))
        if start.status_code not in (302, 303):
            raise RuntimeError(f"Start answered {start.status_code}")
        section = f"/booklet/{QUESTION}"
        page = self._request("GET", section, "3 section GET", headers=self._headers(section))
        if page.status_code != 200:
            raise RuntimeError(f"{section} answered {page.status_code}")
        token, version = CSRF.search(page.text or ""), VERSION.search(page.text or "")
        if token is None or version is None:
            raise RuntimeError(f"no CSRF token or {QUESTION}__version on {section}")
        self.csrf = token.group(1)
        self.version = int(version.group(1) or version.group(2))

    # --- the timed phase ----------------------------------------------------------------------
    @task
    def fill_in(self) -> None:
        ready.wait(config["start_timeout"])
        _begin_phase()
        try:
            if self.slot["started"]:
                self._save_until_deadline()
        finally:
            _left()
        raise StopUser()

    def _save_until_deadline(self) -> None:
        index, records = self.slot["index"], self.slot["records"]
        saving = config["mode"] == "portal"
        path = "/booklet/answer" if saving else "/save"
        number = 0
        while time.time() < phase["deadline"]:
            number += 1
            text = f"Good news from child {index}, number {number}"
            if saving:
                body = {"question_key": QUESTION, "state": "answered", "value": text, "version": self.version}
                headers = self._headers(f"/booklet/{QUESTION}", {
                    "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.csrf})
            else:
                body = {"key": f"child-{index}", "value": text}
                headers = {"Content-Type": "application/json", **self.base_headers}
            sent_at = time.time()
            began = time.perf_counter()
            response = self._request("POST", path, "4 autosave POST" if saving else "bare save POST",
                                     data=json.dumps(body), headers=headers)
            record = {"t": round(sent_at, 4), "ms": round((time.perf_counter() - began) * 1000, 2),
                      "warmup": sent_at < phase["started"],
                      "status": response.status_code, "text": text,
                      "sent_version": self.version if saving else None}
            try:
                answer = json.loads(response.text) if response.text else {}
            except ValueError:
                answer = {}
            if not isinstance(answer, dict):
                answer = {}
            if response.status_code == 200 and answer.get("status") == "saved" and isinstance(answer.get("version"), int):
                record.update(outcome="saved", version=answer["version"])
                self.version = answer["version"]
            elif response.status_code == 409 and answer.get("status") == "conflict":
                theirs = answer.get("theirs") or {}
                record.update(outcome="conflict", theirs_version=theirs.get("version"), theirs_value=theirs.get("value"))
                if isinstance(theirs.get("version"), int):
                    self.version = theirs["version"]  # as a child choosing to carry on would
            else:
                error = getattr(response, "error", None)
                record.update(outcome="error", error=f"{error.__class__.__name__}: {error}"[:200] if error else None,
                              body=(response.text or "")[:200] if response.status_code else None)
            records.append(record)
            if record["outcome"] == "error":
                gevent.sleep(0.05)  # a dead connection: try again shortly, as the page's script would


def _stats(env: Environment) -> dict:
    out = {}
    for entry in list(env.stats.entries.values()) + [env.stats.total]:
        out[entry.name] = {
            "requests": entry.num_requests, "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5), "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99), "max_ms": entry.max_response_time,
        }
    return out


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 2)


def main(path: str) -> int:
    setup_logging("WARNING")
    config.update(json.loads(open(path, encoding="utf-8").read()))
    slots.extend(config["users"])
    user_class = type("SimulatedChild", (Child,), {"host": config["base_url"], "abstract": False})
    env = Environment(user_classes=[user_class], events=events)
    runner = env.create_local_runner()
    runner.start(len(slots), spawn_rate=max(10, len(slots)))
    limit = config["start_timeout"] + config["warmup"] + config["duration"] + 30
    finished.wait(limit)
    runner.quit()
    result = {"mode": config["mode"], "warmup_started": phase["warmup_started"], "warmup": config["warmup"],
              "phase_started": phase["started"], "phase_deadline": phase["deadline"],
              "duration": config["duration"], "ended": time.time(), "all_finished": finished.is_set(),
              "users": slots, "locust": _stats(env), "client_cpu_s": _cpu_seconds()}
    with open(config["out"], "w", encoding="utf-8") as out:
        json.dump(result, out)
    started = sum(1 for slot in slots if slot.get("started"))
    saves = sum(len(slot.get("records") or []) for slot in slots)
    print(f"CLIENT_DONE {config['mode']}: {started}/{len(slots)} children in, {saves} saves sent", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
