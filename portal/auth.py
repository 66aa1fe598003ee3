"""Who is logged in, and which requests need someone to be.

- Admin actions (the ``admin`` blueprint: upload, re-ingest, edit, delete)
  always need a login, and need admin features to be enabled at all
  (a configured SECRET_KEY, see portal.settings).
- With ``REQUIRE_LOGIN`` every page and API call needs one too, except the
  login page, static files and /healthz (load balancers must reach it).

The check runs as the first ``before_request`` hook, before the body of a
request is read: an anonymous upload is refused without parsing its
20 MB, and before the CSRF check, so a stranger learns nothing from it.
Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure when
configured) holding the user name, the login time and a fingerprint of the
account's password hash (an HMAC under the secret key, never the hash). A
session stops working at once when its user is removed, when the password
changes (a new hash, even for the same password: a new salt), and when that
user logs out anywhere (portal.revocations: a logout ends every older
session of the user, so a copied cookie dies with it).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, redirect, request, session, url_for

from portal.responses import json_response
from portal.revocations import LogoutList
from portal.throttle import LoginThrottle
from portal.users import UserStore

_USERS = "portal.users"
_THROTTLE = "portal.throttle"
_LOGOUTS = "portal.logouts"
#: Reachable without a login even when searching needs one.
OPEN_ENDPOINTS = frozenset({"auth.login", "auth.logout", "static", "health.healthz"})
ADMIN_BLUEPRINT = "admin"

F = TypeVar("F", bound=Callable[..., Any])


def users() -> UserStore:
    """The app's accounts."""
    return cast(UserStore, current_app.extensions[_USERS])


def throttle() -> LoginThrottle:
    """The app's login throttle."""
    return cast(LoginThrottle, current_app.extensions[_THROTTLE])


def logouts() -> LogoutList:
    """The app's server-side logout list."""
    return cast(LogoutList, current_app.extensions[_LOGOUTS])


def _password_mark(name: str) -> str | None:
    """What a session remembers of the password it was opened with: an HMAC of the account's hash."""
    hashed = users().password_hash(name)
    if hashed is None:
        return None
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{name}\0{hashed}".encode(), hashlib.sha256).hexdigest()[:32]


def current_user() -> str | None:
    """The logged-in user's name, or None: no session, or one that has ended since.

    Ended: the account was removed, its password changed (or was set again),
    or the user logged out after this session began.
    """
    if not current_app.config.get("ADMIN_ENABLED"):
        return None
    name, mark, started = session.get("user"), session.get("password"), session.get("login_at")
    if not isinstance(name, str) or not isinstance(mark, str) or not isinstance(started, int | float):
        return None
    expected = _password_mark(name)
    if expected is None or not hmac.compare_digest(mark, expected):
        return None
    if started <= logouts().revoked_before(name):
        return None
    return name


def login_user(name: str) -> None:
    """Start a fresh session for ``name`` (the old one, CSRF token included, is dropped)."""
    session.clear()
    session["user"] = name
    # Sub-second: a login right after a logout must count as newer than it.
    session["login_at"] = time.time()
    session["password"] = _password_mark(name)
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME, checked on the server too


def logout_user() -> None:
    """End the session, and every other session of the same user that began before now."""
    name = current_user()
    if name is not None:
        logouts().revoke(name, time.time())
    session.clear()


def client_address() -> str:
    """The client's address (behind trusted proxies, the one they report: see create_app)."""
    return request.remote_addr or "unknown"


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def _refuse_anonymous() -> Response:
    if request.path.startswith("/api/"):
        return json_response({"error": "请先登录。"}, 401)
    if request.method in ("GET", "HEAD"):
        return cast(Response, redirect(url_for("auth.login", next=request.full_path.rstrip("?"))))
    abort(401, "请先登录（登录可能已过期），再重新提交。")


def guard() -> Response | None:
    """The before_request hook: let the request through, redirect it to the login page, or refuse it."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in OPEN_ENDPOINTS:
        return None  # 404s and the open pages
    is_admin = endpoint.partition(".")[0] == ADMIN_BLUEPRINT
    if is_admin and not current_app.config.get("ADMIN_ENABLED"):
        abort(403, "管理功能未启用：服务器未配置 SECRET_KEY。请管理员按 README 的“Security”一节配置后重启。")
    if (is_admin or current_app.config.get("REQUIRE_LOGIN")) and current_user() is None:
        return _refuse_anonymous()
    return None


def login_required(view: F) -> F:
    """Decorator for admin views: the guard already checks, this makes each view say so (defence in depth)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return _refuse_anonymous()
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _template_globals() -> dict[str, Any]:
    return {"current_user": current_user(), "admin_enabled": bool(current_app.config.get("ADMIN_ENABLED"))}


def init_app(app: Flask) -> None:
    """Accounts, the throttle and the guard (register before CSRF protection: hooks run in order)."""
    app.extensions[_USERS] = UserStore(app.config.get("USERS") or "", app.config.get("USERS_FILE"), app.logger.warning)
    state = app.config.get("STATE_DIR")
    if not state:
        app.logger.warning("PORTAL_STATE_DIR/ARCHIVE_DIR 未设置：登录失败次数只在各工作进程内分别计数。")
    app.extensions[_THROTTLE] = LoginThrottle(
        Path(state) / "logins.sqlite3" if state else None,
        max_failures=int(app.config["LOGIN_MAX_FAILURES"]),
        window_seconds=int(app.config["LOGIN_WINDOW_SECONDS"]),
    )
    app.extensions[_LOGOUTS] = LogoutList(Path(state) / "sessions.sqlite3" if state else None)
    app.before_request(guard)
    app.context_processor(_template_globals)
