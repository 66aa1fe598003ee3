"""``python -m indexer parse``: JSONL out, a report for the person, bad files skipped."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.model import from_json
from tests.conftest import SAMPLES


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "档案" / "鹿苑镇"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLES / "003_1b25769b943d4546.txt", folder / "2023年上半年工会工作总结.txt")
    (folder / "损坏.docx").write_bytes(os.urandom(2048))
    (folder / "空文件.txt").write_bytes(b"")
    (folder / "二进制.txt").write_bytes(bytes(range(256)) * 8)
    return tmp_path / "档案"


def test_parse_writes_articles_and_paragraphs_as_jsonl(archive: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "parsed.jsonl"
    assert main(["parse", str(archive), "-o", str(out)]) == 0
    records = [from_json(json.loads(line)) for line in out.read_text(encoding="utf-8").splitlines()]
    kinds = [r.kind for r in records]
    assert kinds.count("article") == 6
    assert kinds.count("paragraph") > 100
    article = next(r for r in records if r.kind == "article")
    # The folder names the township and the file name the year and period.
    assert (article.township, article.year, article.period) == ("鹿苑镇", 2023, "上半年")
    assert (article.origins["township"], article.origins["year"]) == ("path", "path")


def test_bad_files_are_skipped_with_their_reasons_and_the_run_goes_on(archive: Path, capsys) -> None:
    assert main(["parse", str(archive)]) == 0
    captured = capsys.readouterr()
    assert captured.out.count('"kind": "article"') == 6
    report = captured.err
    assert "跳过 3 个文件" in report
    assert "损坏.docx: corrupt .docx" in report
    assert "空文件.txt: empty file" in report
    assert "二进制.txt: binary content" in report
    assert "文章 6 篇" in report
    # Coverage is reported for every article facet of the registry, by its Chinese label.
    assert all(label in report for label in ("文档类型", "单位类型", "单位层级", "时段", "年份"))


def test_a_sidecar_csv_overrides_inference(archive: Path, capsys) -> None:
    (archive / "metadata.csv").write_text(
        "file,title,org_level,org_name,township,period,year\n"
        "鹿苑镇/2023年上半年工会工作总结.txt,工会工作半年总结篇一,企业厂矿,物管中心工会,鹿苑镇,全年,2022\n",
        encoding="utf-8",
    )
    main(["parse", str(archive)])
    articles = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"kind": "article"' in line]
    first, second = articles[0], articles[1]
    assert (first["period"], first["year"], first["origins"]["year"]) == ("全年", 2022, "sidecar")
    assert (second["period"], second["year"]) == ("上半年", 2023)  # the row names only the first article


def test_a_missing_path_is_reported_not_raised(tmp_path: Path, capsys) -> None:
    assert main(["parse", str(tmp_path / "nowhere.txt")]) == 1
    assert "nowhere.txt" in capsys.readouterr().err


def test_search_narrows_by_the_genre_flags(tmp_path: Path, capsys) -> None:
    from engine.contract import IndexDocument
    from engine.embedded import EmbeddedEngine

    def doc(n: int, doc_type: str, org_type: str) -> IndexDocument:
        return IndexDocument(
            paragraph_id=f"g{n}-0000",
            article_id=f"g{n}",
            position=0,
            text="开展送温暖活动，走访慰问困难职工。",
            title=f"篇{n}",
            source_path=f"g{n}.txt",
            source_sha256=str(n),
            doc_type=doc_type,
            org_type=org_type,
        )

    index = tmp_path / "index"
    engine = EmbeddedEngine(index)
    for n, genre in enumerate([("总结", "工会"), ("计划", "工会"), ("总结", "妇联")]):
        engine.replace_source(f"g{n}.txt", [doc(n, *genre)])
    engine.commit()
    engine.close()
    argv = ["search", "送温暖", "--index", str(index), "--json"]
    assert main([*argv, "--doc-type", "总结", "--org-type", "工会"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [h["article_id"] for h in result["hits"]] == ["g0"]
    assert main([*argv, "--doc-type", "总结", "--doc-type", "计划"]) == 0  # repeatable: either
    assert json.loads(capsys.readouterr().out)["total"] == 3
    assert main(["search", "送温暖", "--index", str(index), "--org-type", "妇联"]) == 0
    assert "妇联 · 总结" in capsys.readouterr().out  # the text rendering names the genre


def test_search_literal_flag_turns_expansion_off(tmp_path: Path, capsys) -> None:
    """``--literal`` is the portal's literal=1: the query's words only, nothing searched besides them."""
    from engine.contract import IndexDocument
    from engine.embedded import EmbeddedEngine

    texts = {"d0": "召开第三届职代会，审议工会工作报告。", "d1": "召开职工代表大会，审议集体合同草案。"}
    index = tmp_path / "index"
    engine = EmbeddedEngine(index)
    for n, (name, text) in enumerate(texts.items()):
        document = IndexDocument(
            paragraph_id=f"{name}-0000",
            article_id=name,
            position=0,
            text=text,
            title=name,
            source_path=f"{name}.txt",
            source_sha256=str(n),
        )
        engine.replace_source(f"{name}.txt", [document])
    engine.commit()
    engine.close()
    argv = ["search", "职代会", "--index", str(index), "--json"]
    assert main(argv) == 0
    expanded = json.loads(capsys.readouterr().out)
    assert {h["article_id"] for h in expanded["hits"]} == {"d0", "d1"} and "职工代表大会" in expanded["expanded"]
    assert main([*argv, "--literal"]) == 0
    literal = json.loads(capsys.readouterr().out)
    assert [h["article_id"] for h in literal["hits"]] == ["d0"] and literal["expanded"] == []
