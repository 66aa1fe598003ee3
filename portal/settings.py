"""The portal's configuration: environment variables, then the dict handed to create_app.

Environment (all optional; README.md, "Deploying" and "Security"):

==========================  ====================================================
``INDEX_DIR``               embedded index folder (or ``ES_URL``/``ES_INDEX``)
``SECRET_KEY``              signs sessions and CSRF tokens; ≥ 32 characters.
``SECRET_KEY_FILE``         …or a file holding it (for systemd credentials)
``PORTAL_USERS``            ``name:hash,name:hash`` (hashes from ``python -m portal.users``)
``PORTAL_USERS_FILE``       …or a file of ``name:hash`` lines (re-read when it changes)
``PORTAL_REQUIRE_LOGIN``    1: searching needs a login too (default: open)
``PORTAL_COOKIE_SECURE``    1: cookies only over https (set it behind TLS)
``PORTAL_TRUSTED_PROXIES``  number of reverse proxies whose X-Forwarded-* to trust
``ARCHIVE_DIR``             the archive folder uploads go to (admin features need it)
``PORTAL_STATE_DIR``        where login throttling and ingest locks live
                            (default ``ARCHIVE_DIR/.portal``)
``UPLOAD_MAX_MB``           largest upload (default 20; keep nginx's
                            client_max_body_size a little above it)
``PORTAL_DEV``              1: development: admin features work with a generated secret
``PORTAL_CITATION``         parts of the source line, in order (default
                            ``unit,title,date,file``; also ``published``)
``PORTAL_PUBLIC_ORIGINALS`` 1: everyone may download original files (default:
                            logged-in users only; the text preview is open)
==========================  ====================================================

Without a configured SECRET_KEY the portal still serves searches (a
generated key signs the CSRF tokens of the basket export) but refuses every
admin feature, unless ``PORTAL_DEV=1`` or Flask's debug mode says this is a
developer's machine.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from portal.citation import InvalidCitation, parse_parts

#: Largest request body outside uploads: a basket export is a list of ids, nothing more.
MAX_BODY_BYTES = 256 * 1024
DEFAULT_UPLOAD_MAX_MB = 20
MIN_SECRET_LENGTH = 32
#: Set by deploy/gunicorn.conf.py in the master when no SECRET_KEY is configured, so that
#: every worker signs with the same generated key (CSRF tokens work whichever worker answers).
EPHEMERAL_SECRET_ENV = "PORTAL_EPHEMERAL_SECRET"


class ConfigurationError(RuntimeError):
    """A setting that makes it unsafe to start; the message says what to change."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _secret_from_environment() -> str | None:
    if key := os.environ.get("SECRET_KEY", "").strip():
        return key
    if path := os.environ.get("SECRET_KEY_FILE", "").strip():
        try:
            return Path(path).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ConfigurationError(f"SECRET_KEY_FILE {path} 无法读取：{exc.strerror}") from exc
    return None


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} 应为整数，收到 {raw!r}") from exc


def defaults_from_environment() -> dict[str, Any]:
    """The settings the environment gives (create_app's ``config`` overrides them)."""
    archive = os.environ.get("ARCHIVE_DIR", "").strip() or None
    state = os.environ.get("PORTAL_STATE_DIR", "").strip() or None
    return {
        "ENGINE": None,
        "INGEST_ENGINE_OPENER": None,
        "INDEX_DIR": os.environ.get("INDEX_DIR") or None,
        "SECRET_KEY": _secret_from_environment(),
        "USERS": os.environ.get("PORTAL_USERS", ""),
        "USERS_FILE": os.environ.get("PORTAL_USERS_FILE", "").strip() or None,
        "REQUIRE_LOGIN": _flag("PORTAL_REQUIRE_LOGIN"),
        "SESSION_COOKIE_SECURE": _flag("PORTAL_COOKIE_SECURE"),
        "TRUSTED_PROXIES": _int_env("PORTAL_TRUSTED_PROXIES", 0),
        "ARCHIVE_DIR": archive,
        "STATE_DIR": state,
        "UPLOAD_MAX_BYTES": _int_env("UPLOAD_MAX_MB", DEFAULT_UPLOAD_MAX_MB) * 1024 * 1024,
        "DEV_MODE": _flag("PORTAL_DEV"),
        "CITATION_PARTS": os.environ.get("PORTAL_CITATION", "").strip(),
        "PUBLIC_ORIGINALS": _flag("PORTAL_PUBLIC_ORIGINALS"),
        #: Most result paragraphs one export of a whole search may hold.
        "RESULT_EXPORT_MAX": 1000,
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "BASKET_MAX_ITEMS": 200,
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_WINDOW_SECONDS": 15 * 60,
        # Sessions: signed cookies, never readable by scripts, not sent on cross-site POSTs.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "union_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        # A CSRF token lives as long as its session: a basket page left open over lunch still exports.
        "WTF_CSRF_TIME_LIMIT": None,
    }


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config`` and decide whether admin features may run.

    Sets ``SECRET_KEY_SOURCE`` (configured | shared | generated) and
    ``ADMIN_ENABLED``. Raises ConfigurationError when a setting is unsafe.
    """
    app.config.update(defaults_from_environment())
    if overrides:
        app.config.update(overrides)
    key = app.config.get("SECRET_KEY")
    if key:
        if len(key) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"SECRET_KEY 太短（{len(key)} 个字符），至少 {MIN_SECRET_LENGTH} 个。"
                "生成：python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        source = "configured"
    elif shared := os.environ.get(EPHEMERAL_SECRET_ENV, "").strip():
        app.config["SECRET_KEY"], source = shared, "shared"
    else:
        app.config["SECRET_KEY"], source = secrets.token_hex(32), "generated"
    dev = bool(app.config.get("DEV_MODE")) or app.debug
    app.config["SECRET_KEY_SOURCE"] = source
    app.config["ADMIN_ENABLED"] = source == "configured" or dev
    try:
        app.config["CITATION_PARTS"] = parse_parts(app.config.get("CITATION_PARTS"))
    except InvalidCitation as exc:
        raise ConfigurationError(str(exc)) from exc
    if source == "shared":
        # deploy/gunicorn.conf.py generated this key in the master and said so once there;
        # every worker repeating it would fill the journal with the same warning.
        app.logger.debug("SECRET_KEY: using the key the gunicorn master generated")
    elif source != "configured":
        app.logger.warning(
            "SECRET_KEY 未配置：已生成临时密钥（重启后会话失效）。%s",
            "开发模式：管理功能可用。" if dev else "管理功能（登录、上传、修改、删除）已停用。",
        )
    if app.config["REQUIRE_LOGIN"] and not app.config["ADMIN_ENABLED"]:
        raise ConfigurationError("PORTAL_REQUIRE_LOGIN=1 需要配置 SECRET_KEY（否则无人能登录）")
    if app.config["ARCHIVE_DIR"] and not app.config["STATE_DIR"]:
        app.config["STATE_DIR"] = str(Path(app.config["ARCHIVE_DIR"]) / ".portal")
