"""Legacy .doc/.wps through external converters: real antiword when installed, fakes otherwise."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

import indexer.reading.legacy as legacy
from indexer.reading import UnreadableFile, read_source
from tests.indexer.reading.variants import non_empty_lines
from tests.indexer.reading.word97 import write_doc

needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")


@needs_antiword
def test_real_doc_through_antiword(tmp_path: Path, source_text: str) -> None:
    document = read_source(write_doc(source_text, tmp_path / "summary.doc"))
    assert [line.text for line in document.lines if line.text.strip()] == non_empty_lines(source_text)
    assert document.source.format == "doc"
    assert document.source.encoding is None


@needs_antiword
def test_antiword_failure_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    only_antiword = shutil.which("antiword")
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: only_antiword if name == "antiword" else None)
    path = tmp_path / "excel.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8192))
    with pytest.raises(UnreadableFile) as caught:
        read_source(path)
    assert caught.value.reason.startswith("antiword failed")
    assert str(tmp_path) not in caught.value.reason


def fake_tool(directory: Path, name: str, script: str) -> None:
    tool = directory / name
    tool.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def fake_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory in front of PATH for the fake converters a test writes into it."""
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ.get('PATH', '')}")
    return directory


def ole_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    return path


def test_fake_antiword_output_becomes_lines(tmp_path: Path, fake_path: Path) -> None:
    fake_tool(fake_path, "antiword", 'printf "\\n一、概况\\r\\n正文第一段\\n"\n')
    document = read_source(ole_file(tmp_path, "a.doc"))
    assert [line.text for line in document.lines] == ["", "一、概况", "正文第一段"]


def test_fake_soffice_is_used_for_wps_and_when_antiword_fails(tmp_path: Path, fake_path: Path) -> None:
    fake_tool(fake_path, "antiword", 'echo "is not a Word Document." >&2\nexit 1\n')
    # soffice writes <outdir>/<stem>.txt; our fake takes the arguments the same way.
    fake_tool(
        fake_path,
        "soffice",
        'while [ $# -gt 0 ]; do case "$1" in --outdir) out="$2"; shift;; *) src="$1";; esac; shift; done\n'
        'mkdir -p "$out"\nname=$(basename "$src")\nprintf "WPS正文\\n" > "$out/${name%.*}.txt"\n',
    )
    assert [line.text for line in read_source(ole_file(tmp_path, "b.wps")).lines] == ["WPS正文"]
    assert [line.text for line in read_source(ole_file(tmp_path, "c.doc")).lines] == ["WPS正文"]


def test_converter_failure_reason(tmp_path: Path, fake_path: Path) -> None:
    fake_tool(fake_path, "antiword", "echo \"'$1' is not a Word Document.\" >&2\nexit 1\n")
    with pytest.raises(UnreadableFile) as caught:
        read_source(ole_file(tmp_path, "d.doc"))
    assert caught.value.reason.startswith("antiword failed:")


def test_hanging_converter_is_killed(tmp_path: Path, fake_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_tool(fake_path, "antiword", "exec sleep 30\n")
    monkeypatch.setattr(legacy, "ANTIWORD_TIMEOUT_S", 0.5)
    with pytest.raises(UnreadableFile, match="antiword timed out"):
        read_source(ole_file(tmp_path, "e.doc"))
