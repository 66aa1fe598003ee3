"""工会总结检索 — the web portal.

``create_app()`` is an application factory, so ``flask --app portal run``
works and tests can hand in an engine of their own::

    app = create_app({"ENGINE": engine})        # tests
    app = create_app({"INDEX_DIR": "/srv/idx"})  # an embedded index folder

Without either, the engine is chosen by ``engine.open_engine``: Elasticsearch
when ``ES_URL`` is set, else the embedded index in ``INDEX_DIR`` (environment)
or ``./data/index``. It is opened lazily, once per process (see
portal.engine_access), so gunicorn workers each get their own readers.

Settings come from the environment (portal.settings); access control from
portal.auth, CSRF from portal.csrf, headers from portal.security. The order
of the request hooks matters and is fixed here: the body-size limit first
(before anything reads the body), then the login check, then the
same-origin and CSRF checks.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import api_saved, auth, csrf, engine_access, errors, security, settings, templating, uploads
from portal.settings import MAX_BODY_BYTES, ConfigurationError
from portal.views import admin, api, article, basket, copies, health, overview, search
from portal.views import auth as auth_views

__all__ = ["MAX_BODY_BYTES", "ConfigurationError", "create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the portal. ``config`` overrides the environment (see portal.settings)."""
    app = Flask(__name__)
    if not app.debug:
        # Under gunicorn the app logger should reach gunicorn's error log.
        app.logger.setLevel(logging.INFO)
    settings.configure(app, config)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # nginx reports the client's address and scheme; trust exactly that many hops, nobody else.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    engine_access.init_app(app)
    uploads.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    for module in (search, copies, article, basket, overview, api, health, auth_views, admin):
        app.register_blueprint(module.bp)
    api_saved.init_app(app)  # saved searches per account
    return app
