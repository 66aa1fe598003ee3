"""Parsing alone: read + clean + split + enrich, over every file of the archive, in this process.

Exactly what ``indexer.pipeline.parse_file`` does, timed per format. Writes
the parsed paragraphs to paragraphs.jsonl for the other benchmarks.
Throughput is MB of paragraph text (UTF-8 bytes of the parsed paragraphs,
i.e. what the segmenter reads) per second of wall time; "per CPU-second"
figures are given too because the machine is shared and noisy.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from bench.common import Timer, archive_dir, log, mb, paragraphs_file, save_result

#: Article facets whose distinct values the corpus section lists.
_FACETS = ("township", "year", "period", "org_level", "org_name")


@dataclass
class _Tally:
    """What the parse benchmark counts while it reads the archive."""

    read_s: Counter[str] = field(default_factory=Counter)
    read_cpu: float = 0.0
    rest_cpu: float = 0.0
    parse_wall: float = 0.0
    parse_cpu: float = 0.0
    by_format_files: Counter[str] = field(default_factory=Counter)
    by_format_text: Counter[str] = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: int = 0
    text_bytes: int = 0
    chars: int = 0
    disk_bytes: int = 0
    articles: int = 0
    headings: int = 0
    dup: Counter[str] = field(default_factory=Counter)
    facet_values: dict[str, set[Any]] = field(default_factory=lambda: {name: set() for name in _FACETS})
    without: dict[str, int] = field(default_factory=lambda: {"township": 0, "year": 0})

    def add_paragraph(self, p: Any, fmt: str) -> None:
        """Count one parsed paragraph of a file in format ``fmt``."""
        size = len(p.text.encode("utf-8"))
        self.by_format_text[fmt] += size
        self.text_bytes += size
        self.chars += len(p.text)
        self.paragraphs += 1
        self.headings += p.is_heading
        if not p.is_heading:
            self.dup[p.duplicate_key] += 1
        for name, values in self.facet_values.items():
            value = getattr(p, name)
            if value:
                values.add(value)
        self.without["township"] += not p.township
        self.without["year"] += not p.year


def paragraph_record(p: Any) -> dict[str, Any]:
    """The paragraphs.jsonl line of one parsed paragraph (or an IndexDocument: the same attributes)."""
    return {
        "id": p.paragraph_id,
        "article_id": p.article_id,
        "text": p.text,
        # The headings above the paragraph: the engine finds a paragraph through them (engine.plan.term_match).
        "section_path": list(p.section_path),
        "township": p.township,
        "year": p.year,
        "period": p.period,
        "org_level": p.org_level,
        "org_name": p.org_name,
        "topics": p.topics,
        "source_path": p.source_path,
        "is_heading": p.is_heading,
        "duplicate_key": p.duplicate_key,
    }


def _parse_one(path: Path, base: Path, tally: _Tally, out: IO[str]) -> None:
    """Read and parse one file, timing the reading and the rest apart; write its paragraphs."""
    from indexer import reading
    from indexer.pipeline import display_path, parse_document
    from indexer.reading import UnreadableFile

    try:
        c0, w0 = time.process_time(), time.perf_counter()
        doc = reading.read_source(path)
        c1, w1 = time.process_time(), time.perf_counter()
        doc.source = dataclasses.replace(doc.source, path=display_path(path))  # as parse_file does
        parsed = parse_document(doc, path, base)
        c2, w2 = time.process_time(), time.perf_counter()
    except UnreadableFile as exc:
        tally.skipped.append((str(path), exc.reason))
        return
    tally.parse_wall += w2 - w0
    tally.parse_cpu += c2 - c0
    fmt = doc.source.format + ("" if doc.source.format != "txt" else f":{doc.source.encoding}")
    tally.read_s[fmt] += w1 - w0
    tally.read_cpu += c1 - c0
    tally.rest_cpu += c2 - c1
    tally.by_format_files[fmt] += 1
    tally.disk_bytes += doc.source.size
    tally.articles += len(parsed.articles)
    for p in parsed.paragraphs:
        tally.add_paragraph(p, fmt)
        out.write(json.dumps(paragraph_record(p), ensure_ascii=False) + "\n")


def bench_parse(root: Path, label: str) -> dict[str, Any]:
    """Read, clean, split and enrich every file in this process; write paragraphs.jsonl."""
    from indexer.enrichment.writer import word_tags
    from indexer.pipeline import discover

    archive = archive_dir(root, label)
    if not archive.exists():
        raise SystemExit(f"no corpus at {archive}: run `python -m bench corpus --size {label}` first")
    word_tags()  # jieba's POS table, loaded once per process: start-up, not parsing
    files = list(discover([archive]))
    tally = _Tally()
    # Records are written as they come, never held: a list of a million dicts makes the
    # garbage collector rescan a growing heap and would slow the parsing being measured.
    with Timer() as total, paragraphs_file(root, label).open("w", encoding="utf-8") as out:
        for path, base in files:
            _parse_one(path, base, tally, out)
    result = _result(tally, len(files), total.seconds)
    log(
        f"parse {label}: {len(files):,} files, {tally.paragraphs:,} paragraphs, {mb(tally.text_bytes)} MB text in "
        f"{tally.parse_wall:.1f} s wall / {tally.parse_cpu:.1f} s CPU = {result['mb_per_s']} MB/s"
    )
    save_result("parse", label, result)
    return result


def _result(t: _Tally, files: int, loop_seconds: float) -> dict[str, Any]:
    facets: dict[str, int] = {name: len(values) for name, values in t.facet_values.items()}
    facets["paragraphs_without_township"] = t.without["township"]
    facets["paragraphs_without_year"] = t.without["year"]
    return {
        "files": files,
        "files_skipped": len(t.skipped),
        "skipped_examples": t.skipped[:5],
        "articles": t.articles,
        "paragraphs": t.paragraphs,
        "headings": t.headings,
        "text_bytes": t.text_bytes,
        "text_mb": mb(t.text_bytes),
        "chars": t.chars,
        "disk_bytes": t.disk_bytes,
        "disk_mb": mb(t.disk_bytes),
        # Time inside read_source + parse_document only (not the bench's own bookkeeping).
        "wall_s": round(t.parse_wall, 2),
        "cpu_s": round(t.parse_cpu, 2),
        "loop_wall_s": round(loop_seconds, 2),
        "read_cpu_s": round(t.read_cpu, 2),
        "clean_split_enrich_cpu_s": round(t.rest_cpu, 2),
        "mb_per_s": round(t.text_bytes / 1e6 / t.parse_wall, 3),
        "mb_per_cpu_s": round(t.text_bytes / 1e6 / t.parse_cpu, 3),
        "paragraphs_per_s": round(t.paragraphs / t.parse_wall),
        "by_format": {
            fmt: {
                "files": t.by_format_files[fmt],
                "text_mb": mb(t.by_format_text[fmt]),
                "read_wall_s": round(t.read_s[fmt], 2),
            }
            for fmt in sorted(t.by_format_files)
        },
        "facet_cardinality": facets,
        "body_paragraphs": sum(t.dup.values()),
        "body_duplicate_groups": sum(1 for c in t.dup.values() if c > 1),
        "body_paragraphs_in_duplicate_groups": sum(c for c in t.dup.values() if c > 1),
        "body_distinct_keys": len(t.dup),
    }
