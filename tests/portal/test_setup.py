"""Setting up (issue 15): a taken port is caught before anything starts; the SECRET_KEY warning is said once."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
from pathlib import Path

import pytest

from portal import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_run_sh_stops_at_once_when_the_port_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env={**os.environ, "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"端口 {port} 已被占用" in result.stderr and "PORT=8001 bash scripts/run.sh" in result.stderr
    assert "门户已启动" not in result.stdout  # never announced


def test_workers_sharing_the_masters_key_do_not_repeat_the_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("PORTAL_EPHEMERAL_SECRET", "x" * 64)
    with caplog.at_level(logging.WARNING):
        for _worker in range(3):
            create_app({"ENGINE": object()})
    assert not [r for r in caplog.records if "SECRET_KEY" in r.getMessage()]


def test_the_gunicorn_master_says_it_once() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "PORTAL_EPHEMERAL_SECRET")}
    code = "import runpy; runpy.run_path('deploy/gunicorn.conf.py')"
    result = subprocess.run(["python3", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stderr.count("SECRET_KEY 未配置") == 1
