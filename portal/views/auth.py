"""Log in and out (/login, /logout).

Failed logins are throttled per user name + client address (portal.throttle):
past the limit the page answers 429 with how long to wait, without
checking the password at all. Each try is counted before its password is
checked (``reserve``), so simultaneous tries cannot slip past the limit.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from portal.auth import client_address, current_user, login_user, logout_user, safe_next, throttle, users

bp = Blueprint("auth", __name__)


def _page(status: int = 200, error: str = "", name: str = "") -> Response:
    next_url = safe_next(request.values.get("next"), url_for("admin.index"))
    body = render_template(
        "login.html", error=error, name=name, next_url=next_url, accounts=len(users()) if _enabled() else 0
    )
    response = Response(body, status=status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _enabled() -> bool:
    return bool(current_app.config.get("ADMIN_ENABLED"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """The login form; a POST checks the password (throttled)."""
    if not _enabled():
        return _page(403, "管理功能未启用：服务器未配置 SECRET_KEY，无法登录。")
    if request.method == "GET":
        if current_user():
            return redirect(safe_next(request.args.get("next"), url_for("admin.index")))  # type: ignore[return-value]
        return _page()
    name = (request.form.get("username") or "").strip()[:64]
    password = request.form.get("password") or ""
    address = client_address()
    wait = throttle().reserve(name, address)  # counted as a failure until the password proves right
    if wait:
        minutes = max(1, (wait + 59) // 60)
        current_app.logger.warning("login throttled: %r from %s (%d s)", name, address, wait)
        response = _page(429, f"登录失败次数过多：为保护账号，请 {minutes} 分钟后再试。", name)
        response.headers["Retry-After"] = str(wait)
        return response
    if not name or not users().verify(name, password):
        current_app.logger.warning("login failed: %r from %s", name, address)
        return _page(401, "用户名或口令不正确。", name)
    throttle().reset(name, address)
    login_user(name)
    current_app.logger.info("login: %s from %s", name, address)
    return redirect(safe_next(request.form.get("next"), url_for("admin.index")))  # type: ignore[return-value]


@bp.post("/logout")
def logout() -> Response:
    """End the session (a POST with a CSRF token, so no other site can log anyone out)."""
    if user := current_user():
        current_app.logger.info("logout: %s", user)
    logout_user()
    return redirect(url_for("search.index"))  # type: ignore[return-value]
