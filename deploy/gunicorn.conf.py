"""Gunicorn settings for the portal: ``gunicorn --config deploy/gunicorn.conf.py``.

Environment:
    PORT              port to listen on (default 8000)
    HOST              address to bind (default 127.0.0.1: nginx sits in front)
    WEB_CONCURRENCY   worker count (default 2 × cores + 1, at most MAX_WORKERS)
    INDEX_DIR         embedded index folder; or ES_URL / ES_INDEX for Elasticsearch
    SECRET_KEY        (or SECRET_KEY_FILE) signs sessions and CSRF tokens; admin features need it
    UPLOAD_MAX_MB     largest upload (default 20); nginx's client_max_body_size must allow it
    Everything else the portal reads: portal/settings.py and README.md, "Deploying".
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import os
import secrets
import sys

#: Each worker holds its own index readers and request memory (40–80 MB of private heap
#: at 100k–1M paragraphs, bench/RESULTS.md "Load"; the rest is shared with the master);
#: past this many, more workers cost memory without adding throughput.
MAX_WORKERS = 9

wsgi_app = "portal:create_app()"

# Without a configured secret, generate one here in the master, before the workers fork:
# every worker then signs CSRF tokens with the same key, so the basket export works
# whichever worker answers. The portal still refuses admin features with such a key.
if not os.environ.get("SECRET_KEY") and not os.environ.get("SECRET_KEY_FILE"):
    os.environ.setdefault("PORTAL_EPHEMERAL_SECRET", secrets.token_hex(32))
    # Said once, here in the master; the workers stay quiet about the shared key (portal.settings).
    print(
        "SECRET_KEY 未配置：已生成临时密钥（重启后会话失效），管理功能（登录、上传、修改、删除）已停用。"
        " · SECRET_KEY not set: a temporary key is used and admin features are off.",
        file=sys.stderr,
        flush=True,
    )
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, MAX_WORKERS))

# tantivy readers and Elasticsearch clients must not cross a fork: each worker
# builds the app itself and opens its engine lazily on its first request. What
# is safe to share is loaded in the master instead, before the fork (on_starting).
preload_app = False

# An upload is read, parsed and segmented within its request: allow a large text PDF.
timeout = 120
graceful_timeout = 30
# Request line and headers stay small (uploads are in the body, limited by the app and nginx).
limit_request_line = 8190
limit_request_fields = 100
keepalive = 5
# Recycle workers now and then, so a slow leak in a native library cannot grow forever.
max_requests = 2000
max_requests_jitter = 200

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# nginx on the same host sets X-Forwarded-*; trust it and nobody else.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "union-summaries"


def preload_shared() -> None:
    """Import the portal and load its read-only data in this process, without opening any engine.

    Modules, Flask and Jinja, opencc's tables, the jieba dictionary (about 25 MB
    of native heap), the fold table, the facet registry and the expansion table:
    about 100 MB that every worker would otherwise build for itself. Forked
    workers share these pages copy-on-write. Nothing here opens an index, a
    tantivy object, a thread or a socket; those belong to each worker (see
    portal.engine_access).
    """
    import concurrent.futures.thread  # noqa: F401  (the facet helper pool, started per worker)
    import encodings.idna  # noqa: F401  (first used by a request)

    import portal  # noqa: F401  (the whole app, its views and the engine's front modules)
    from engine import analysis, expansion

    # The backend's module only (as engine.open_engine picks it): the index or client is opened per worker.
    importlib.import_module("engine.elastic" if os.environ.get("ES_URL") else "engine.embedded")
    analysis.warm_up()
    expansion.load_table()
    # A worker's garbage collections would otherwise write to the header of every object
    # inherited from here, copying the pages that hold them: frozen objects are never scanned.
    gc.collect()
    gc.freeze()


def on_starting(server: object) -> None:
    """In the master, before the first worker is forked; workers re-forked after max_requests share it too."""
    preload_shared()


def post_worker_init(worker: object) -> None:
    """Load the jieba dictionary before the first request, not during it (a no-op after preload_shared)."""
    from engine import analysis

    analysis.word_tokens("工会")
