"""CSRF protection on every state-changing request (Flask-WTF's CSRFProtect).

Every POST needs the session's token, signed with SECRET_KEY: in a hidden
``csrf_token`` field (each form renders ``{{ csrf_field() }}``) or in an
``X-CSRFToken`` header. The basket export form carries the field like any
other form; its script only fills in the paragraph ids and submits it.
Only pages with a form call ``csrf_field()``, so search pages set no cookie.
The Origin/Referer check in portal.security stays as a second, independent
line of defence.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from markupsafe import Markup, escape

from portal.errors import ErrorInfo, error_response

csrf = CSRFProtect()


def csrf_field() -> Markup:
    """The hidden input every form includes."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(escape(generate_csrf()))


def handle_csrf_error(exc: CSRFError) -> Response | tuple[str, int]:
    """400 in our words: the token is missing, expired (new session) or forged."""
    current_app.logger.warning("400 CSRF on %s: %s", request.path, exc.description)
    return error_response(
        ErrorInfo(
            400,
            "表单已失效",
            "表单已过期或无法验证其来源，操作未执行。",
            "请刷新页面后重新提交；如果刚刚重新登录或重启了浏览器，这是正常的。",
        )
    )


def init_app(app: Flask) -> None:
    """Protect every POST/PUT/PATCH/DELETE and give templates ``csrf_field()``."""
    csrf.init_app(app)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.jinja_env.globals.update(csrf_field=csrf_field)
