"""Shared fixtures: the sample corpus, and the Elasticsearch node plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.support.es_fixture"]

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The sample corpus shipped with the project."""
    return SAMPLES
