"""Sign-in limits: failures only, per account and per address, shared by every worker.

A password that does not work counts against the email address typed (whether or not it has an
account, so the limit tells nobody which accounts exist) and against the address it came from; a
sign-in code that does not work counts against the account and the address. Ten failures for one
account in 15 minutes pause that account's sign-in for 15 minutes; a hundred from one address pause
that address, so one person cannot lock a whole office out. Colleagues signing in successfully
behind one office address count nothing.

Each attempt first takes a place under every key in one atomic statement (an upsert in the
database, a Lua script in Redis) and gives it back if the sign-in works, so of many attempts at once
no more than the limit ever reach the password check, and only failures stay counted. A successful
sign-in gives back only its own place: it clears nothing an attacker could use.

The counts live in the database (the `sign_in_failure` table), or in Redis when REDIS_URL is set:
never in a worker's memory, where four gunicorn workers would allow four times the limit. Keys are
keyed hashes: no email address or IP address is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import redis
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.staff.models import SignInFailure
from portal.timeutil import UTCDateTime, as_utc, utcnow

WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 10
ADDRESS_FAILURES = 100
CODE_FAILURES = 10
CLEANUP_JOB = "clean_sign_in_failures"
REDIS_PREFIX = "portal-sign-in-failures:"
_EXTENSION = "portal_sign_in_limits"


@dataclass(frozen=True)
class Rule:
    """One count: what it is kept under, and how many failures in WINDOW it allows."""

    key: str
    limit: int


def _key(kind: str, value: str) -> str:
    """A keyed hash, so the table holds neither email addresses nor IP addresses."""
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    return f"{kind}:" + hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:64]


def network(address: str | None) -> str:
    """The address as counted: an IPv4 address itself, an IPv6 address by its /64 (one household or office
    is given a whole /64, so counting single IPv6 addresses would let one person take endless turns)."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def password_rules(email: str, address: str | None) -> list[Rule]:
    """The counts a password attempt takes part in: the email typed, and the address."""
    return [Rule(_key("account", (email or "").strip().lower()), ACCOUNT_FAILURES),
            Rule(_key("address", network(address)), ADDRESS_FAILURES)]


def code_rules(user_id: int, address: str | None) -> list[Rule]:
    """The counts a sign-in code attempt takes part in: the account's codes, and the address."""
    return [Rule(_key("code", str(user_id)), CODE_FAILURES),
            Rule(_key("address", network(address)), ADDRESS_FAILURES)]


@dataclass
class Attempt:
    """One sign-in attempt: refused (`locked_until` is set), or holding a place under each key."""

    store: DatabaseFailures | RedisFailures
    held: list[Rule] = field(default_factory=list)
    locked_until: datetime | None = None

    def succeeded(self) -> None:
        """The password (or code) worked: give the places back, so only failures stay counted."""
        for rule in self.held:
            self.store.release(rule.key)
        self.held = []

    def retry_after_seconds(self) -> int:
        return max(1, math.ceil((self.locked_until - utcnow()).total_seconds())) if self.locked_until else 0


def begin(rules: list[Rule]) -> Attempt:
    """Take a place under every key, or refuse when any of them is over its limit (giving back the rest)."""
    store = _store()
    locked = store.locked_until(rules)
    if locked is not None:
        return Attempt(store, locked_until=locked)
    attempt = Attempt(store)
    refused_until: list[datetime] = []
    for rule in rules:
        count, window_end = store.reserve(rule.key, rule.limit)
        attempt.held.append(rule)
        if count > rule.limit:
            refused_until.append(window_end)
    if refused_until:
        attempt.succeeded()  # nothing was tried, so nothing counts
        attempt.locked_until = max(refused_until)
    return attempt


# --- Where the counts live ----------------------------------------------------------------------------


class DatabaseFailures:
    """Counts in the `sign_in_failure` table, each change one statement in its own short transaction
    (never the request's, so a count stays even when the request's work is rolled back)."""

    table = SignInFailure.__table__

    def locked_until(self, rules: list[Rule]) -> datetime | None:
        now = utcnow()
        limits = {rule.key: rule.limit for rule in rules}
        with db.engine.connect() as connection:
            rows = connection.execute(sa.select(self.table.c.key, self.table.c.window_start, self.table.c.count)
                                      .where(self.table.c.key.in_(list(limits)))).all()
        ends = [as_utc(row.window_start) + WINDOW for row in rows
                if row.count >= limits[row.key] and as_utc(row.window_start) + WINDOW > now]
        return max(ends) if ends else None

    def reserve(self, key: str, limit: int) -> tuple[int, datetime]:
        """Count one more under `key`; a window over starts afresh, and the one that reaches the limit
        restarts the window, so the pause lasts WINDOW from that failure. Returns the count and the
        window's end."""
        now = utcnow()
        table = self.table
        at_now = sa.literal(now, UTCDateTime())
        over = table.c.window_start <= sa.literal(now - WINDOW, UTCDateTime())
        insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(table).values(key=key, window_start=now, count=1)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"count": sa.case((over, 1), else_=table.c.count + 1),
                  "window_start": sa.case((over, at_now), (table.c.count + 1 == limit, at_now),
                                          else_=table.c.window_start)},
        ).returning(table.c.count, table.c.window_start)
        with db.engine.begin() as connection:
            row = connection.execute(statement).one()
        return row.count, as_utc(row.window_start) + WINDOW

    def release(self, key: str) -> None:
        table = self.table
        with db.engine.begin() as connection:
            connection.execute(sa.update(table).where(table.c.key == key, table.c.count > 0)
                               .values(count=table.c.count - 1))

    def clean(self) -> int:
        with db.engine.begin() as connection:
            result = connection.execute(sa.delete(self.table).where(
                self.table.c.window_start <= sa.literal(utcnow() - WINDOW, UTCDateTime())))
        return result.rowcount or 0


# KEYS[1]: the key; ARGV[1]: the window in ms; ARGV[2]: the limit. Returns the count and ms left.
_RESERVE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 or n == tonumber(ARGV[2]) or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {n, redis.call('PTTL', KEYS[1])}
"""
_RELEASE = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return n
"""


class RedisFailures:
    """Counts in Redis (when REDIS_URL is set): one key per count, expiring with its window."""

    def __init__(self, url: str):
        self.redis = redis.Redis.from_url(url)
        self._reserve = self.redis.register_script(_RESERVE)
        self._release = self.redis.register_script(_RELEASE)

    def locked_until(self, rules: list[Rule]) -> datetime | None:
        pipe = self.redis.pipeline(transaction=False)
        for rule in rules:
            pipe.get(REDIS_PREFIX + rule.key)
            pipe.pttl(REDIS_PREFIX + rule.key)
        replies = pipe.execute()
        ends = [utcnow() + timedelta(milliseconds=ttl) for rule, count, ttl in
                zip(rules, replies[::2], replies[1::2], strict=True)
                if count is not None and int(count) >= rule.limit and ttl > 0]
        return max(ends) if ends else None

    def reserve(self, key: str, limit: int) -> tuple[int, datetime]:
        count, ttl = self._reserve(keys=[REDIS_PREFIX + key], args=[int(WINDOW.total_seconds() * 1000), limit])
        return int(count), utcnow() + timedelta(milliseconds=max(int(ttl), 0))

    def release(self, key: str) -> None:
        self._release(keys=[REDIS_PREFIX + key])

    def clean(self) -> int:
        return 0  # Redis lets each count expire with its window


def _store():
    """The app's store: Redis when REDIS_URL is set, else the database (built once per app)."""
    store = current_app.extensions.get(_EXTENSION)
    if store is None:
        url = current_app.config.get("REDIS_URL")
        store = RedisFailures(url) if url else DatabaseFailures()
        current_app.extensions[_EXTENSION] = store
    return store


def clean_old_failures() -> int:
    """Forget counts whose window is over (a job runs it hourly); returns how many."""
    return _store().clean()
