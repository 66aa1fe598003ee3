"""The portal's configuration: the environment (declared once, in ``SETTINGS``), then create_app's dict.

``SETTINGS`` is the table of every environment variable the portal and its
server read: name, default, what it does. ``defaults_from_environment``
reads the environment through it, README.md's settings table is generated
from it (``settings_table()``), and tests/test_docs.py fails when
the two differ or when code reads a variable the README does not name.

Without a configured SECRET_KEY the portal still serves searches (a
generated key signs the CSRF tokens of the basket export) but refuses every
admin feature, unless ``PORTAL_DEV=1`` or Flask's debug mode says this is a
developer's machine.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

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


#: How a variable's text becomes a config value: stripped text ("" → None for a path), an on/off
#: flag (1, true, yes, on), an integer, megabytes as bytes; "secret" is SECRET_KEY or SECRET_KEY_FILE;
#: "other" is read elsewhere (the engine, deploy/gunicorn.conf.py), listed here to be documented.
Kind = Literal["text", "path", "flag", "int", "megabytes", "secret", "other"]


@dataclass(frozen=True)
class Setting:
    """One environment variable: where it goes, its default as documented, and what it does."""

    env: str
    key: str | None  # the app.config key it fills (None: read by someone else)
    kind: Kind
    default: str
    help: str

    def read(self) -> Any:
        """This variable's value as ``app.config`` holds it."""
        raw = os.environ.get(self.env, "").strip()
        if self.kind == "flag":
            return raw.lower() in ("1", "true", "yes", "on")
        if self.kind == "path":
            return raw or None
        if self.kind in ("int", "megabytes"):
            number = _int_env(self.env, int(self.default))
            return number * 1024 * 1024 if self.kind == "megabytes" else number
        if self.kind == "secret":
            return _secret_from_environment()
        return raw


SETTINGS: tuple[Setting, ...] = (
    Setting("INDEX_DIR", "INDEX_DIR", "path", "data/index", "内嵌索引目录 · the embedded index folder"),
    Setting(
        "ES_URL", None, "other", "", "设置后使用 Elasticsearch · use Elasticsearch at this URL instead of the folder"
    ),
    Setting("ES_INDEX", None, "other", "summaries", "Elasticsearch 别名 · the Elasticsearch alias"),
    Setting(
        "SECRET_KEY",
        "SECRET_KEY",
        "secret",
        "",
        "签名会话与 CSRF，至少 32 个字符；不设置时管理功能停用 · signs sessions and CSRF tokens, ≥ 32 characters; "
        "without it admin features are off",
    ),
    Setting("SECRET_KEY_FILE", None, "other", "", "…或存放密钥的文件（systemd credentials）· …or a file holding it"),
    Setting(
        "PORTAL_USERS",
        "USERS",
        "text",
        "",
        "`name:hash,name:hash`（哈希由 `python -m portal.users add` 生成）· accounts, hashes from `python -m portal.users`",
    ),
    Setting(
        "PORTAL_USERS_FILE",
        "USERS_FILE",
        "path",
        "",
        "…或每行一个 `name:hash` 的文件，修改后自动重读 · …or a file of `name:hash` lines, re-read when it changes",
    ),
    Setting("PORTAL_REQUIRE_LOGIN", "REQUIRE_LOGIN", "flag", "0", "1：检索也需要登录 · 1: searching needs a login too"),
    Setting(
        "PORTAL_COOKIE_SECURE",
        "SESSION_COOKIE_SECURE",
        "flag",
        "0",
        "1：仅经 https 发送 cookie · 1: cookies over https only",
    ),
    Setting(
        "PORTAL_TRUSTED_PROXIES",
        "TRUSTED_PROXIES",
        "int",
        "0",
        "信任其 X-Forwarded-* 的反向代理层数（nginx 在前：1）· reverse proxies whose X-Forwarded-* to trust",
    ),
    Setting(
        "ARCHIVE_DIR",
        "ARCHIVE_DIR",
        "path",
        "",
        "上传文件存放的档案文件夹（管理功能需要）· the archive folder uploads go to (admin features need it)",
    ),
    Setting(
        "PORTAL_STATE_DIR",
        "STATE_DIR",
        "path",
        "ARCHIVE_DIR/.portal",
        "登录限速、退出列表与导入锁所在目录 · where login throttling, the logout list and ingest locks live",
    ),
    Setting(
        "UPLOAD_MAX_MB",
        "UPLOAD_MAX_BYTES",
        "megabytes",
        str(DEFAULT_UPLOAD_MAX_MB),
        "最大上传（MB；nginx 的 client_max_body_size 略大于它）· largest upload, keep nginx a little above it",
    ),
    Setting(
        "PORTAL_DEV",
        "DEV_MODE",
        "flag",
        "0",
        "1：开发模式，临时密钥下管理功能可用 · 1: admin features with a generated key",
    ),
    Setting(
        "PORTAL_CITATION",
        "CITATION_PARTS",
        "text",
        "unit,title,date,file",
        "出处的组成部分及顺序（另有 `published`）· parts of the source line, in order (also `published`)",
    ),
    Setting(
        "PORTAL_PUBLIC_ORIGINALS",
        "PUBLIC_ORIGINALS",
        "flag",
        "0",
        "1：所有人可下载原文件（默认仅登录用户）· 1: everyone may download original files (default: logged-in users)",
    ),
    Setting(
        EPHEMERAL_SECRET_ENV,
        None,
        "other",
        "",
        "内部使用：gunicorn 主进程生成、各工作进程共享的临时密钥，请勿设置 · internal: set by deploy/gunicorn.conf.py",
    ),
    Setting("HOST", None, "other", "127.0.0.1", "gunicorn 监听地址 · address gunicorn listens on"),
    Setting("PORT", None, "other", "8000", "gunicorn 监听端口 · port gunicorn listens on"),
    Setting(
        "WEB_CONCURRENCY",
        None,
        "other",
        "2 × CPU + 1, at most 9",
        "gunicorn 工作进程数 · gunicorn workers",
    ),
    Setting("LOG_LEVEL", None, "other", "info", "gunicorn 日志级别 · gunicorn log level"),
    Setting(
        "FORWARDED_ALLOW_IPS",
        None,
        "other",
        "127.0.0.1",
        "gunicorn 信任其转发头的地址 · addresses whose forwarded headers gunicorn trusts",
    ),
)


def settings_table() -> str:
    """The README's settings table (Markdown), generated from ``SETTINGS``."""
    lines = ["| 环境变量 · variable | 默认 · default | 说明 · what it does |", "|---|---|---|"]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default else "—"
        lines.append(f"| `{setting.env}` | {default} | {setting.help} |")
    return "\n".join(lines)


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
    return {
        "ENGINE": None,
        "INGEST_ENGINE_OPENER": None,
        **{setting.key: setting.read() for setting in SETTINGS if setting.key},
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
