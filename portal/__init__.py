"""工会总结检索 — the web portal.

``create_app()`` is an application factory, so ``flask --app portal run``
works and tests can hand in an engine of their own::

    app = create_app({"ENGINE": engine})        # tests
    app = create_app({"INDEX_DIR": "/srv/idx"})  # an embedded index folder

Without either, the engine is chosen by ``engine.open_engine``: Elasticsearch
when ``ES_URL`` is set, else the embedded index in ``INDEX_DIR`` (environment)
or ``./data/index``. It is opened lazily, once per process (see
portal.engine_access), so gunicorn workers each get their own readers.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask

from portal import engine_access, errors, security, templating
from portal.views import api, article, basket, copies, health, overview, search

#: Largest request body accepted: a basket export is a list of ids, nothing more.
MAX_BODY_BYTES = 256 * 1024


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the portal. ``config`` may set ENGINE (an engine instance) or INDEX_DIR."""
    app = Flask(__name__)
    app.config.from_mapping(
        ENGINE=None,
        INDEX_DIR=os.environ.get("INDEX_DIR") or None,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        BASKET_MAX_ITEMS=200,
    )
    if config:
        app.config.update(config)
    if not app.debug:
        # Under gunicorn the app logger should reach gunicorn's error log.
        app.logger.setLevel(logging.INFO)

    engine_access.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    for module in (search, copies, article, basket, overview, api, health):
        app.register_blueprint(module.bp)
    return app
