"""Fixtures for the reading tests; the generators themselves live in ``variants``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.indexer.reading.variants import sample_text, write_variants


@pytest.fixture(scope="session")
def source_text() -> str:
    """The real UTF-8 sample summary every variant is generated from."""
    return sample_text()


@pytest.fixture(scope="session")
def variants(source_text: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample written in every format and encoding (generated once per session)."""
    return write_variants(source_text, tmp_path_factory.mktemp("variants"))
