"""An ingest converts its .doc/.wps/.rtf files in one LibreOffice session, whatever its worker count.

Needs LibreOffice and its Python binding (python3-uno); skipped without either, or when
``INDEXER_OFFICE=0`` or ``INDEXER_OFFICE_SESSION=0`` switches them off.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.embedded import EmbeddedEngine
from indexer.ingest import ingest_files
from indexer.reading import office, read_source
from tests.indexer.reading.office_documents import summary_fodt

TOWNS = ["鹿苑镇", "塘桥镇", "妙桥镇"]

pytestmark = pytest.mark.skipif(
    not office.sessions_available(),
    reason="no LibreOffice session here (LibreOffice or python3-uno missing, or INDEXER_OFFICE[_SESSION]=0)",
)


def _convert(sources: list[Path], target: str, outdir: Path) -> list[Path]:
    """All ``sources`` written by the real LibreOffice as ``target`` (one cold run for the batch)."""
    _code, _out, err = office.run_tool(
        [
            str(office.find_soffice()),
            "--headless",
            f"-env:UserInstallation={(outdir / '.lo-profile').as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, sources),
        ],
        300,
        "LibreOffice",
    )
    produced = [outdir / f"{source.stem}.{target.split(':')[0]}" for source in sources]
    assert all(path.exists() for path in produced), err
    return produced


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three summaries (one per town) as .doc, .wps (Word format, as WPS saves it) and .rtf."""
    root = tmp_path_factory.mktemp("legacy-archive")
    work = tmp_path_factory.mktemp("legacy-sources")
    sources = []
    for number, town in enumerate(TOWNS):
        source = work / f"summary{number}.fodt"
        source.write_text(summary_fodt(styled_headings=number % 2 == 1).replace("鹿苑镇", town), encoding="utf-8")
        sources.append(source)
    for doc in _convert(sources, "doc:MS Word 97", work):
        doc.rename(root / doc.name)
        (root / f"{doc.stem}.wps").write_bytes((root / doc.name).read_bytes())
    for rtf in _convert(sources, "rtf:Rich Text Format", work):
        rtf.rename(root / rtf.name)
    return root


def test_an_ingest_on_several_workers_starts_libreoffice_once(archive: Path, tmp_path: Path) -> None:
    files = sorted((path, archive) for path in archive.iterdir())
    assert len(files) == 9
    before = dict(office.stats)
    engine = EmbeddedEngine(tmp_path / "index")
    try:
        report = ingest_files(engine, files, workers=2)
        sources = engine.sources()
    finally:
        engine.close()
    assert report.skipped == [] and report.files_read == 9 and len(sources) == 9
    assert office.stats["shared_sessions"] - before["shared_sessions"] == 1
    # Every file went through the one session, which started LibreOffice once.
    assert office.stats["office_files"] - before["office_files"] == 9
    assert office.stats["office_starts"] - before["office_starts"] == 1
    assert office.OFFICE_ADDRESS_ENV not in os.environ  # the session ended with the ingest


def test_an_ingest_without_such_files_starts_no_session(tmp_path: Path) -> None:
    with office.shared_session([tmp_path / "a.docx", tmp_path / "b.txt", tmp_path / "c.pdf"]) as session:
        assert session is None
        assert office.OFFICE_ADDRESS_ENV not in os.environ


def test_a_killed_session_is_started_again_for_the_next_file(
    archive: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rtf = archive / "summary1.rtf"  # styled, auto-numbered headings
    with office.shared_session([rtf]) as session:
        assert session is not None
        monkeypatch.setattr(office, "OFFICE_TIMEOUT_S", 0.001)  # LibreOffice is killed mid-file
        with pytest.raises(office.UnreadableFile, match="LibreOffice timed out"):
            read_source(rtf)
        monkeypatch.setattr(office, "OFFICE_TIMEOUT_S", 120.0)
        headings = [line.text for line in read_source(rtf).lines if line.heading_level == 1]
        assert headings[0] == "一、坚持维权服务，职工幸福感不断提升"
        assert session.stats() == {"starts": 2, "files": 1}


def test_a_worker_whose_session_is_gone_converts_on_its_own(
    archive: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(office.OFFICE_ADDRESS_ENV, str(tmp_path / "gone.sock"))
    lines = read_source(archive / "summary1.doc").lines
    assert any(line.text.startswith("（一）扎实开展") and line.heading_level == 2 for line in lines)
    assert office.OFFICE_ADDRESS_ENV not in os.environ  # it stops asking the dead address
