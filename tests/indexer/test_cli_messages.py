"""What the command line says back (issue 15): exclusions are query words, a re-run says "nothing new"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.cli import build_parser, main
from indexer.report import RunReport
from tests.conftest import SAMPLES


@pytest.mark.parametrize(
    ("argv", "query", "township"),
    [
        (["search", "-送温暖"], "-送温暖", []),
        (["search", "困难职工", "-送温暖", "--township", "鹿苑镇"], "困难职工 -送温暖", ["鹿苑镇"]),
        (["search", "--township", "鹿苑镇", "-企业"], "-企业", ["鹿苑镇"]),
        (["search", "送温暖", "--json"], "送温暖", []),
    ],
)
def test_a_leading_minus_is_an_exclusion_not_an_option(argv: list[str], query: str, township: list[str]) -> None:
    from indexer.cli import _query_words_as_positionals

    args = build_parser().parse_args(_query_words_as_positionals(argv))
    assert args.query == query and args.township == township


def test_search_for_only_an_exclusion_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "档案"
    archive.mkdir()
    shutil.copy(SAMPLES / "003_1b25769b943d4546.txt", archive / "总结.txt")
    index = str(tmp_path / "index")
    assert main(["ingest", str(archive), "--index", index, "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["search", "-送温暖", "--index", index]) == 0
    out = capsys.readouterr()
    assert "unrecognized arguments" not in out.err


def test_a_rerun_with_nothing_new_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "档案"
    archive.mkdir()
    shutil.copy(SAMPLES / "003_1b25769b943d4546.txt", archive / "总结.txt")
    index = str(tmp_path / "index")
    assert main(["ingest", str(archive), "--index", index, "--workers", "1"]) == 0
    assert "文章" in capsys.readouterr().err
    assert main(["ingest", str(archive), "--index", index, "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "没有新的或修改过的文件：索引已是最新（1 个文件未变化）" in err
    assert "文章 0 篇" not in err


def test_the_report_counts_what_was_read() -> None:
    report = RunReport(files_read=1, articles=2, paragraphs=30)
    assert "文章 2 篇，段落 30 段" in report.render()
    assert "没有读到任何文件" in RunReport().render()
