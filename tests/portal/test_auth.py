"""Access: who may do what, sessions, CSRF on every form, login throttling, the secret key."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from engine.embedded import EmbeddedEngine
from portal import ConfigurationError, create_app
from portal.auth import safe_next
from portal.users import UserStore, parse_entries
from tests.portal.adminkit import PASSWORD, SECRET, client_of, login, password_hash, portal
from tests.portal.helpers import csrf_token, soup

ADMIN_PAGES = ["/admin/", "/admin/articles/fixture0000000a/edit", "/admin/articles/fixture0000000a/delete"]
ADMIN_POSTS = ["/admin/upload", "/admin/reingest", "/admin/articles/x/edit", "/admin/articles/x/delete"]


@pytest.fixture
def client(tmp_path: Path, engine: EmbeddedEngine) -> FlaskClient:
    """A portal over the session index, with the account admin."""
    return client_of(portal(tmp_path, ENGINE=engine))


# --------------------------------------------------------------------------- admin actions need a login


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_send_strangers_to_the_login_page(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("url", ADMIN_POSTS)
def test_admin_actions_are_refused_without_a_login_even_with_a_valid_token(client: FlaskClient, url: str) -> None:
    response = client.post(url, data={"csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 401
    assert "请先登录" in soup(response).select_one(".error-message").get_text()


def test_an_anonymous_upload_is_refused_before_its_body_is_read(client: FlaskClient) -> None:
    # Far over every limit: refused with 401 (the login check), not 413 (which would mean it was read).
    big = b"x" * (30 * 1024 * 1024)
    response = client.post("/admin/upload", data={"files": (io.BytesIO(big), "a.txt")})
    assert response.status_code == 401


def test_login_then_admin_pages_open_and_logout_closes_them(client: FlaskClient) -> None:
    response = login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    page = soup(client.get("/"))
    assert page.select_one(".site-nav a[href='/admin/']") is not None
    logout_form = page.select_one("form[action='/logout']")
    assert logout_form.select_one("input[name=csrf_token]")
    # Logging out needs the token too: no other site can log anyone out.
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": logout_form.select_one("input")["value"]}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_wrong_password_and_unknown_user_look_the_same(client: FlaskClient) -> None:
    wrong = login(client, password="not the password")
    unknown = login(client, name="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或口令不正确" in wrong.get_data(as_text=True)
    assert "用户名或口令不正确" in unknown.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient) -> None:
    cookie = login(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in development unless configured


def test_session_cookie_is_secure_when_configured(tmp_path: Path, engine: EmbeddedEngine, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_COOKIE_SECURE", "1")
    client = client_of(create_app({"ENGINE": engine, "SECRET_KEY": SECRET, "USERS": f"admin:{password_hash()}"}))
    token = csrf_token(client, "/login")
    headers = {"Origin": "https://localhost", "Referer": "https://localhost/login"}
    response = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": token},
        headers=headers,
        base_url="https://localhost",
    )
    assert response.status_code == 302
    assert "; Secure" in response.headers["Set-Cookie"]


def test_login_redirects_only_within_the_site(client: FlaskClient) -> None:
    token = csrf_token(client, "/login")
    form = {"username": "admin", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"}
    assert client.post("/login", data=form).headers["Location"] == "/admin/"
    assert safe_next("https://evil.example/", "/d") == "/d"
    assert safe_next("/\\evil.example", "/d") == "/d"
    assert safe_next("/articles/x?q=1", "/d") == "/articles/x?q=1"


def test_a_removed_account_loses_its_session(tmp_path: Path, engine: EmbeddedEngine) -> None:
    users = tmp_path / "users"
    users.write_text(f"admin:{password_hash()}\n", encoding="utf-8")
    client = client_of(portal(tmp_path, ENGINE=engine, USERS="", USERS_FILE=str(users)))
    assert login(client).status_code == 302
    assert client.get("/admin/").status_code == 200
    users.write_text("# nobody\n", encoding="utf-8")
    assert client.get("/admin/").status_code == 302


def _stolen(client: FlaskClient, app_client: FlaskClient) -> FlaskClient:
    """``app_client`` carrying a copy of ``client``'s session cookie (as a thief would)."""
    cookie = client.get_cookie("union_session")
    assert cookie is not None
    app_client.set_cookie("union_session", cookie.value)
    return app_client


def test_a_password_change_ends_older_sessions(tmp_path: Path, engine: EmbeddedEngine) -> None:
    users = tmp_path / "users"
    users.write_text(f"admin:{password_hash()}\n", encoding="utf-8")
    app = portal(tmp_path, ENGINE=engine, USERS="", USERS_FILE=str(users))
    client = client_of(app)
    assert login(client).status_code == 302
    old = _stolen(client, client_of(app))
    assert old.get("/admin/").status_code == 200
    # The account is removed and added again with a new password (python -m portal.users).
    users.write_text("# nobody\n", encoding="utf-8")
    assert old.get("/admin/").status_code == 302
    users.write_text(f"admin:{generate_password_hash('a brand new password 2')}\n", encoding="utf-8")
    assert old.get("/admin/").status_code == 302  # the old cookie does not come back to life
    assert client.get("/admin/").status_code == 302
    fresh = client_of(app)
    assert login(fresh, password="a brand new password 2").status_code == 302
    assert fresh.get("/admin/").status_code == 200


def test_the_same_password_set_again_still_ends_older_sessions(tmp_path: Path, engine: EmbeddedEngine) -> None:
    users = tmp_path / "users"
    users.write_text(f"admin:{password_hash()}\n", encoding="utf-8")
    app = portal(tmp_path, ENGINE=engine, USERS="", USERS_FILE=str(users))
    client = client_of(app)
    assert login(client).status_code == 302
    users.write_text(f"admin:{generate_password_hash(PASSWORD)}\n", encoding="utf-8")  # a new salt
    assert client.get("/admin/").status_code == 302


def test_a_cookie_captured_before_logout_is_dead_after_it(tmp_path: Path, engine: EmbeddedEngine) -> None:
    app = portal(tmp_path, ENGINE=engine)
    client = client_of(app)
    assert login(client).status_code == 302
    thief = _stolen(client, client_of(app))
    assert thief.get("/admin/").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert thief.get("/admin/").status_code == 302
    # Every worker sees the logout (the list is kept in the state folder), and a new login works.
    other_worker = _stolen(thief, client_of(portal(tmp_path, ENGINE=engine)))
    assert other_worker.get("/admin/").status_code == 302
    assert login(client).status_code == 302 and client.get("/admin/").status_code == 200


def test_a_logout_ends_every_older_session_of_that_user(tmp_path: Path, engine: EmbeddedEngine) -> None:
    app = portal(tmp_path, ENGINE=engine)
    laptop, phone = client_of(app), client_of(app)
    assert login(laptop).status_code == 302 and login(phone).status_code == 302
    assert phone.post("/logout", data={"csrf_token": csrf_token(phone, "/")}).status_code == 302
    assert laptop.get("/admin/").status_code == 302


# --------------------------------------------------------------------------- CSRF on every form


def test_every_post_form_carries_a_csrf_token(tmp_path: Path) -> None:
    from tests.portal.adminkit import build_site

    site = build_site(tmp_path)
    try:
        article = site.client.get("/api/search?q=工会&size=1").get_json()["hits"][0]["article_id"]
        pages = ["/basket", "/admin/", f"/admin/articles/{article}/edit", f"/admin/articles/{article}/delete", "/"]
        forms = 0
        for page in pages:
            for form in soup(site.client.get(page)).select("form"):
                if (form.get("method") or "get").lower() == "post":
                    forms += 1
                    assert form.select_one("input[type=hidden][name=csrf_token]")["value"], (page, form.get("action"))
        assert forms >= 6  # export, logout, upload, re-ingest, edit, delete
    finally:
        site.close()


@pytest.mark.parametrize("url", ["/login", "/basket/export", "/logout", *ADMIN_POSTS])
def test_posts_without_a_token_are_refused(client: FlaskClient, url: str) -> None:
    login(client)
    response = client.post(url, data={"username": "admin", "password": PASSWORD, "p": "x", "format": "txt"})
    assert response.status_code == 400
    assert "表单已过期" in soup(response).select_one(".error-message").get_text()


def test_a_token_from_another_session_is_refused(client: FlaskClient, app) -> None:
    other = app.test_client()
    foreign = csrf_token(other, "/basket")
    response = client.post("/basket/export", data={"p": "x", "format": "txt", "csrf_token": foreign})
    assert response.status_code == 400


def test_posts_from_another_site_are_refused_even_with_a_token(client: FlaskClient) -> None:
    token = csrf_token(client, "/login")
    form = {"username": "admin", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form, headers={"Origin": "http://evil.example"}).status_code == 403


# --------------------------------------------------------------------------- throttling


def test_five_failures_then_429_with_the_reason_even_for_the_right_password(client: FlaskClient) -> None:
    for _ in range(5):
        assert login(client, password="guess").status_code == 401
    blocked = login(client)  # the right password no longer helps
    assert blocked.status_code == 429
    assert "登录失败次数过多" in blocked.get_data(as_text=True)
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert client.get("/admin/").status_code == 302
    # Another address is not blocked for this name.
    other = login(client, remote_addr="10.0.0.7")
    assert other.status_code == 302


def test_the_throttle_is_shared_by_all_workers(tmp_path: Path, engine: EmbeddedEngine) -> None:
    # Two apps on one state folder stand for two gunicorn workers.
    first = client_of(portal(tmp_path, ENGINE=engine))
    second = client_of(portal(tmp_path, ENGINE=engine))
    for client in (first, second, first, second, first):
        assert login(client, password="guess").status_code == 401
    assert login(second).status_code == 429


def test_a_success_clears_the_count(client: FlaskClient) -> None:
    for _ in range(4):
        login(client, password="guess")
    assert login(client).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for _ in range(4):
        assert login(client, password="guess").status_code == 401
    assert login(client).status_code == 302


# --------------------------------------------------------------------------- open or closed searching


def test_searching_is_open_by_default(client: FlaskClient) -> None:
    assert client.get("/?q=工会").status_code == 200
    assert client.get("/api/search?q=工会").status_code == 200


def test_require_login_closes_every_page_and_the_api(tmp_path: Path, engine: EmbeddedEngine) -> None:
    client = client_of(portal(tmp_path, ENGINE=engine, REQUIRE_LOGIN=True))
    for url in ("/", "/?q=工会", "/overview", "/basket", "/articles/fixture0000000a", "/copies/dup-chenxi"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    api = client.get("/api/search?q=工会")
    assert api.status_code == 401 and api.get_json() == {"error": "请先登录。"}
    assert api.headers["Content-Type"] == "application/json; charset=utf-8"
    assert client.get("/healthz").status_code == 200  # load balancers
    assert client.get("/static/css/portal.css").status_code == 200
    login(client)
    assert client.get("/?q=工会").status_code == 200
    assert client.get("/api/search?q=工会").status_code == 200


def test_require_login_from_the_environment(tmp_path: Path, engine: EmbeddedEngine, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_REQUIRE_LOGIN", "1")
    client = client_of(portal(tmp_path, ENGINE=engine))
    assert client.get("/").status_code == 302


# --------------------------------------------------------------------------- the secret key


def test_without_a_secret_admin_features_are_refused_but_search_and_export_work(
    engine: EmbeddedEngine, monkeypatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_DEV", raising=False)
    app = create_app({"ENGINE": engine, "USERS": f"admin:{password_hash()}"})
    assert app.config["SECRET_KEY_SOURCE"] == "generated" and not app.config["ADMIN_ENABLED"]
    client = client_of(app)
    assert client.get("/login").status_code == 403
    refused = client.get("/admin/")
    assert refused.status_code == 403 and "未配置 SECRET_KEY" in refused.get_data(as_text=True)
    assert client.get("/?q=工会").status_code == 200
    form = {"p": "fixture0000000a-0001", "format": "txt", "csrf_token": csrf_token(client)}
    assert client.post("/basket/export", data=form).status_code == 200
    assert soup(client.get("/")).select_one(".footer-login") is None


def test_gunicorn_workers_share_a_generated_secret(engine: EmbeddedEngine, monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_EPHEMERAL_SECRET", "e" * 64)
    first, second = create_app({"ENGINE": engine}), create_app({"ENGINE": engine})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == "e" * 64
    assert not first.config["ADMIN_ENABLED"]
    # A token from one worker is accepted by the other.
    one, two = client_of(first), client_of(second)
    token = csrf_token(one)
    two.set_cookie("union_session", one.get_cookie("union_session").value)
    form = {"p": "fixture0000000a-0001", "format": "txt", "csrf_token": token}
    assert two.post("/basket/export", data=form).status_code == 200


def test_development_mode_enables_admin_with_a_generated_secret(engine: EmbeddedEngine, monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_DEV", "1")
    app = create_app({"ENGINE": engine})
    assert app.config["SECRET_KEY_SOURCE"] == "generated" and app.config["ADMIN_ENABLED"]


def test_unsafe_settings_refuse_to_start(engine: EmbeddedEngine, monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_DEV", raising=False)
    with pytest.raises(ConfigurationError, match="太短"):
        create_app({"ENGINE": engine, "SECRET_KEY": "short"})
    with pytest.raises(ConfigurationError, match="PORTAL_REQUIRE_LOGIN=1 需要配置 SECRET_KEY"):
        create_app({"ENGINE": engine, "REQUIRE_LOGIN": True})


def test_secret_key_from_a_file(engine: EmbeddedEngine, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "key").write_text(SECRET + "\n", encoding="utf-8")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    app = create_app({"ENGINE": engine})
    assert app.config["SECRET_KEY"] == SECRET and app.config["ADMIN_ENABLED"]


# --------------------------------------------------------------------------- accounts


def test_account_entries_must_be_hashes() -> None:
    accounts, problems = parse_entries(f"alice:{password_hash()}, bob:plaintext , :x, carol:pbkdf2:sha256$a$b")
    assert set(accounts) == {"alice", "carol"}
    assert any("bob" in p for p in problems)
    store = UserStore(f"alice:{password_hash()},mallory:pbkdf2:broken")
    assert store.verify("alice", PASSWORD)
    assert not store.verify("alice", "wrong")
    assert not store.verify("mallory", "anything")  # a malformed hash refuses, never crashes
    assert not store.verify("nobody", PASSWORD)


def test_the_users_command_writes_a_hash_that_logs_in(tmp_path: Path, engine: EmbeddedEngine) -> None:
    users = tmp_path / "users"
    command = [sys.executable, "-m", "portal.users", "add", "王科长", "--file", str(users), "--password-stdin"]
    done = subprocess.run(command, input="一个足够长的口令123\n", capture_output=True, text=True, check=True)
    assert "已写入" in done.stderr
    assert users.stat().st_mode & 0o777 == 0o600
    line = users.read_text(encoding="utf-8").strip()
    assert line.startswith("王科长:scrypt:") and "一个足够长的口令" not in line
    client = client_of(portal(tmp_path, ENGINE=engine, USERS="", USERS_FILE=str(users)))
    assert login(client, name="王科长", password="一个足够长的口令123").status_code == 302
    printed = subprocess.run(
        [sys.executable, "-m", "portal.users", "add", "x", "--password-stdin"],
        input="short\n",
        capture_output=True,
        text=True,
    )
    assert printed.returncode != 0 and "口令太短" in printed.stderr


def test_login_page_says_when_no_account_exists(tmp_path: Path, engine: EmbeddedEngine) -> None:
    client = client_of(portal(tmp_path, ENGINE=engine, USERS=""))
    assert "python -m portal.users add" in client.get("/login").get_data(as_text=True)


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(tmp_path: Path, engine: EmbeddedEngine) -> None:
    client = client_of(portal(tmp_path, ENGINE=engine, TRUSTED_PROXIES=1))

    def attempt(address: str, password: str = "guess") -> int:
        token = csrf_token(client, "/login")
        form = {"username": "admin", "password": password, "csrf_token": token}
        return client.post("/login", data=form, headers={"X-Forwarded-For": address}).status_code

    for _ in range(5):
        assert attempt("192.0.2.10") == 401
    assert attempt("192.0.2.10", PASSWORD) == 429
    assert attempt("192.0.2.11", PASSWORD) == 302  # another client behind the same nginx


def test_without_a_trusted_proxy_a_forged_forwarded_address_changes_nothing(
    tmp_path: Path, engine: EmbeddedEngine
) -> None:
    client = client_of(portal(tmp_path, ENGINE=engine))
    for number in range(5):
        token = csrf_token(client, "/login")
        form = {"username": "admin", "password": "guess", "csrf_token": token}
        client.post("/login", data=form, headers={"X-Forwarded-For": f"203.0.113.{number}"})
    token = csrf_token(client, "/login")
    form = {"username": "admin", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form, headers={"X-Forwarded-For": "203.0.113.99"}).status_code == 429
