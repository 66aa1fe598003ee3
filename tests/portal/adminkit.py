"""Helpers for the login and admin tests: a portal with accounts, an archive and a real embedded index."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from engine.embedded import EmbeddedEngine
from indexer.ingest import ingest_files
from indexer.pipeline import discover
from portal import create_app
from tests.conftest import SAMPLES
from tests.portal.helpers import csrf_token

SECRET = "test-secret-" + "k" * 40
PASSWORD = "correct horse battery staple"
ORIGIN = "http://localhost"
#: The sample the archive starts with, and where it is kept (the folder names a township and a period).
SAMPLE = "003_1b25769b943d4546.txt"
SAMPLE_PATH = "鹿苑镇/2023年上半年工会工作总结.txt"


@cache
def password_hash() -> str:
    """One scrypt hash per test session (each costs about 0.1 s)."""
    return generate_password_hash(PASSWORD)


def portal(tmp_path: Path, **config: Any) -> Flask:
    """A portal with the account ``admin`` and its own state folder; ``config`` overrides."""
    settings: dict[str, Any] = {
        "SECRET_KEY": SECRET,
        "USERS": f"admin:{password_hash()}",
        "STATE_DIR": str(tmp_path / "state"),
    }
    settings.update(config)
    return create_app(settings)


def client_of(app: Flask) -> FlaskClient:
    """A test client whose requests come from the portal's own pages (Origin set)."""
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = ORIGIN
    return client


def login(
    client: FlaskClient, name: str = "admin", password: str = PASSWORD, remote_addr: str = "127.0.0.1"
) -> TestResponse:
    """Post the login form as a browser at ``remote_addr`` would (token from the login page)."""
    token = csrf_token(client, "/login")
    form = {"username": name, "password": password, "csrf_token": token}
    return client.post("/login", data=form, environ_base={"HTTP_ORIGIN": ORIGIN, "REMOTE_ADDR": remote_addr})


@dataclass
class Site:
    """An archive folder, an index built from it, and a logged-in admin client of a portal over both."""

    archive: Path
    index: Path
    app: Flask
    client: FlaskClient

    def token(self, page: str = "/admin/") -> str:
        """A CSRF token for this client's session."""
        return csrf_token(self.client, page)

    def close(self) -> None:
        """Close the portal's reading engine."""
        self.app.extensions["portal.engine"].close()


def build_site(tmp_path: Path, **config: Any) -> Site:
    """The sample in ``archive/鹿苑镇/…``, ingested the way ``python -m indexer ingest archive`` does."""
    archive, index = tmp_path / "archive", tmp_path / "index"
    (archive / SAMPLE_PATH).parent.mkdir(parents=True)
    shutil.copy(SAMPLES / SAMPLE, archive / SAMPLE_PATH)
    engine = EmbeddedEngine(index)
    try:
        ingest_files(engine, list(discover([archive])), workers=1)
    finally:
        engine.close()
    app = portal(tmp_path, INDEX_DIR=str(index), ARCHIVE_DIR=str(archive), **config)
    client = client_of(app)
    assert login(client).status_code == 302
    return Site(archive, index, app, client)
