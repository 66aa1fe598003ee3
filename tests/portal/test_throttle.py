"""The login throttle on its own: a sliding window, per name + address and per address, shared or in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.throttle import ADDRESS_FACTOR, LoginThrottle


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "memory"])
def make(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Throttles of one kind sharing one clock (and, for sqlite, one file)."""
    clock = Clock()

    def build() -> LoginThrottle:
        path = tmp_path / "logins.sqlite3" if request.param == "sqlite" else None
        return LoginThrottle(path, max_failures=5, window_seconds=900, clock=clock)

    build.clock = clock  # type: ignore[attr-defined]
    return build


def test_the_sixth_try_waits_until_the_oldest_failure_leaves_the_window(make) -> None:  # type: ignore[no-untyped-def]
    throttle, clock = make(), make.clock
    for _ in range(5):
        assert throttle.retry_after("Alice", "10.0.0.1") == 0
        throttle.record_failure("Alice", "10.0.0.1")
        clock.now += 60
    wait = throttle.retry_after("alice ", "10.0.0.1")  # names compare case- and space-insensitively
    assert wait == 900 - 5 * 60
    clock.now += wait
    assert throttle.retry_after("alice", "10.0.0.1") == 0


def test_other_addresses_and_names_are_counted_apart(make) -> None:  # type: ignore[no-untyped-def]
    throttle = make()
    for _ in range(5):
        throttle.record_failure("alice", "10.0.0.1")
    assert throttle.retry_after("alice", "10.0.0.1") > 0
    assert throttle.retry_after("alice", "10.0.0.2") == 0
    assert throttle.retry_after("bob", "10.0.0.1") == 0


def test_one_address_trying_many_names_is_stopped_too(make) -> None:  # type: ignore[no-untyped-def]
    throttle = make()
    for number in range(5 * ADDRESS_FACTOR):
        throttle.record_failure(f"user{number}", "10.0.0.9")
    assert throttle.retry_after("someone-new", "10.0.0.9") > 0
    assert throttle.retry_after("someone-new", "10.0.0.8") == 0


def test_a_success_resets_only_that_name_and_address(make) -> None:  # type: ignore[no-untyped-def]
    throttle = make()
    for _ in range(5):
        throttle.record_failure("alice", "10.0.0.1")
        throttle.record_failure("alice", "10.0.0.2")
    throttle.reset("alice", "10.0.0.1")
    assert throttle.retry_after("alice", "10.0.0.1") == 0
    assert throttle.retry_after("alice", "10.0.0.2") > 0


def test_the_sqlite_counts_are_shared_between_instances(tmp_path: Path) -> None:
    path = tmp_path / "logins.sqlite3"
    first, second = LoginThrottle(path), LoginThrottle(path)
    for throttle in (first, second, first, second, first):
        throttle.record_failure("alice", "10.0.0.1")
    assert second.retry_after("alice", "10.0.0.1") > 0


def test_a_reserved_try_counts_before_the_password_is_checked(make) -> None:  # type: ignore[no-untyped-def]
    throttle = make()
    for _ in range(5):
        assert throttle.reserve("alice", "10.0.0.1") == 0  # each reservation is a failure until cleared
    assert throttle.reserve("alice", "10.0.0.1") > 0
    throttle.reset("alice", "10.0.0.1")  # a success clears them
    assert throttle.reserve("alice", "10.0.0.1") == 0


def test_thirty_concurrent_wrong_passwords_check_at_most_five(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: 30 concurrent wrong-password POSTs for one name checked 9 passwords instead of 5."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier, Lock

    from engine.embedded import EmbeddedEngine
    from portal.users import UserStore
    from tests.portal.adminkit import ORIGIN, client_of, portal
    from tests.portal.helpers import csrf_token

    checked, lock = [], Lock()
    original = UserStore.verify

    def counting_verify(self: UserStore, name: str, password: str) -> bool:
        with lock:
            checked.append(name)
        return original(self, name, password)

    monkeypatch.setattr(UserStore, "verify", counting_verify)
    app = portal(tmp_path, ENGINE=EmbeddedEngine(tmp_path / "empty-index"))
    clients = [client_of(app) for _ in range(30)]
    tokens = [csrf_token(c, "/login") for c in clients]
    start = Barrier(30)

    def attempt(index: int) -> int:
        form = {"username": "admin", "password": f"wrong guess {index}", "csrf_token": tokens[index]}
        start.wait()  # all at once, as 30 workers and threads would receive them
        return clients[index].post("/login", data=form, environ_base={"HTTP_ORIGIN": ORIGIN}).status_code

    with ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(attempt, range(30)))
    assert len(checked) <= 5
    assert statuses.count(401) == len(checked) and statuses.count(429) == 30 - len(checked)
