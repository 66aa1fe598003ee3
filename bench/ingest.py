"""Ingest figures: parsing alone, the bare segmentation floor, and full ingest.

* ``parse``   — read + clean + split + enrich (indexer.pipeline, exactly what
  ``parse_file`` does) over every file of the archive, in this process.
  Writes the parsed paragraphs to paragraphs.jsonl for the other benchmarks.
* ``segment`` — engine.analysis.word_tokens (jieba search mode + user dict)
  over the same paragraph texts on 1 and 2 processes: the floor any jieba
  pipeline sits on. Also a breakdown (fold, raw jieba, bigrams, the full
  index_fields) and rjieba (jieba-rs) when it is installed.
* ``ingest``  — ``python -m indexer ingest ARCHIVE --index DIR --workers N
  --rebuild`` as a subprocess, N = 1 and 2, with peak memory from /proc,
  CPU time from RUSAGE_CHILDREN, index size on disk, then an incremental
  re-ingest of the unchanged archive. Elasticsearch too when ES_URL is set.

Throughput is MB of paragraph text (UTF-8 bytes of the parsed paragraphs,
i.e. what the segmenter reads) per second of wall time; "per CPU-second"
figures are given too because the machine is shared and noisy.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import re
import resource
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    PYTHON,
    REPO,
    Timer,
    archive_dir,
    dir_bytes,
    index_dir,
    load_result,
    loadavg,
    log,
    mb,
    mib,
    paragraphs_file,
    proc_status,
    read_jsonl,
    run_measured,
    save_result,
    work_dir,
)

# --------------------------------------------------------------------------- (a) parsing alone


def bench_parse(root: Path, label: str) -> dict[str, Any]:
    """Read, clean, split and enrich every file in this process; write paragraphs.jsonl."""
    from indexer import reading
    from indexer.enrichment.writer import word_tags
    from indexer.pipeline import discover, display_path, parse_document
    from indexer.reading import UnreadableFile

    archive = archive_dir(root, label)
    if not archive.exists():
        raise SystemExit(f"no corpus at {archive}: run `python -m bench corpus --size {label}` first")
    word_tags()  # jieba's POS table, loaded once per process: start-up, not parsing
    files = list(discover([archive]))
    read_s: Counter[str] = Counter()
    read_cpu = 0.0
    rest_cpu = 0.0
    by_format_files: Counter[str] = Counter()
    by_format_text: Counter[str] = Counter()
    skipped: list[tuple[str, str]] = []
    paragraphs = text_bytes = chars = disk_bytes = articles = headings = 0
    dup: Counter[str] = Counter()
    facet_values: dict[str, set[Any]] = {
        name: set() for name in ("township", "year", "period", "org_level", "org_name")
    }
    without = {"township": 0, "year": 0}
    parse_wall = parse_cpu = 0.0
    # Records are written as they come, never held: a list of a million dicts makes the
    # garbage collector rescan a growing heap and would slow the parsing being measured.
    with Timer() as total, paragraphs_file(root, label).open("w", encoding="utf-8") as out:
        for path, base in files:
            try:
                c0, w0 = time.process_time(), time.perf_counter()
                doc = reading.read_source(path)
                c1, w1 = time.process_time(), time.perf_counter()
                doc.source = dataclasses.replace(doc.source, path=display_path(path))  # as parse_file does
                parsed = parse_document(doc, path, base)
                c2, w2 = time.process_time(), time.perf_counter()
            except UnreadableFile as exc:
                skipped.append((str(path), exc.reason))
                continue
            parse_wall += w2 - w0
            parse_cpu += c2 - c0
            fmt = doc.source.format + ("" if doc.source.format != "txt" else f":{doc.source.encoding}")
            read_s[fmt] += w1 - w0
            read_cpu += c1 - c0
            rest_cpu += c2 - c1
            by_format_files[fmt] += 1
            disk_bytes += doc.source.size
            articles += len(parsed.articles)
            for p in parsed.paragraphs:
                size = len(p.text.encode("utf-8"))
                by_format_text[fmt] += size
                text_bytes += size
                chars += len(p.text)
                paragraphs += 1
                headings += p.is_heading
                if not p.is_heading:
                    dup[p.duplicate_key] += 1
                for name, values in facet_values.items():
                    value = getattr(p, name)
                    if value:
                        values.add(value)
                without["township"] += not p.township
                without["year"] += not p.year
                record = {
                    "id": p.paragraph_id,
                    "text": p.text,
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
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    bodies = sum(dup.values())
    facets = {name: len(values) for name, values in facet_values.items()}
    facets["paragraphs_without_township"] = without["township"]
    facets["paragraphs_without_year"] = without["year"]
    result = {
        "files": len(files),
        "files_skipped": len(skipped),
        "skipped_examples": skipped[:5],
        "articles": articles,
        "paragraphs": paragraphs,
        "headings": headings,
        "text_bytes": text_bytes,
        "text_mb": mb(text_bytes),
        "chars": chars,
        "disk_bytes": disk_bytes,
        "disk_mb": mb(disk_bytes),
        # Time inside read_source + parse_document only (not the bench's own bookkeeping).
        "wall_s": round(parse_wall, 2),
        "cpu_s": round(parse_cpu, 2),
        "loop_wall_s": round(total.seconds, 2),
        "read_cpu_s": round(read_cpu, 2),
        "clean_split_enrich_cpu_s": round(rest_cpu, 2),
        "mb_per_s": round(text_bytes / 1e6 / parse_wall, 3),
        "mb_per_cpu_s": round(text_bytes / 1e6 / parse_cpu, 3),
        "paragraphs_per_s": round(paragraphs / parse_wall),
        "by_format": {
            fmt: {
                "files": by_format_files[fmt],
                "text_mb": mb(by_format_text[fmt]),
                "read_wall_s": round(read_s[fmt], 2),
            }
            for fmt in sorted(by_format_files)
        },
        "facet_cardinality": facets,
        "body_paragraphs": bodies,
        "body_duplicate_groups": sum(1 for c in dup.values() if c > 1),
        "body_paragraphs_in_duplicate_groups": sum(c for c in dup.values() if c > 1),
        "body_distinct_keys": len(dup),
    }
    log(
        f"parse {label}: {len(files):,} files, {paragraphs:,} paragraphs, {mb(text_bytes)} MB text in "
        f"{parse_wall:.1f} s wall / {parse_cpu:.1f} s CPU = {result['mb_per_s']} MB/s"
    )
    save_result("parse", label, result)
    return result


# --------------------------------------------------------------------------- (b) the segmentation floor


def _texts(root: Path, label: str) -> list[str]:
    path = paragraphs_file(root, label)
    if not path.exists():
        bench_parse(root, label)
    return [record["text"] for record in read_jsonl(path)]


def _seg_chunk(texts: list[str]) -> tuple[int, float]:
    from engine.analysis import word_tokens

    c0 = time.process_time()
    count = sum(len(word_tokens(t)) for t in texts)
    return count, time.process_time() - c0


def _warm(_: object = None) -> int:
    from engine.analysis import word_tokens

    return len(word_tokens("工会送温暖"))


def _segment_parallel(texts: list[str], processes: int, chunk: int = 256) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_warm) as pool:
        pool.map(_warm, range(processes * 4))  # every worker has loaded its dictionary
        chunks = [texts[i : i + chunk] for i in range(0, len(texts), chunk)]
        started = time.perf_counter()
        results = pool.map(_seg_chunk, chunks, chunksize=1)
        wall = time.perf_counter() - started
    return {"wall_s": wall, "cpu_s": sum(c for _, c in results), "tokens": sum(n for n, _ in results)}


def _rate(text_bytes: int, paragraphs: int, wall: float, cpu: float | None = None) -> dict[str, Any]:
    out = {
        "wall_s": round(wall, 2),
        "mb_per_s": round(text_bytes / 1e6 / wall, 3),
        "paragraphs_per_s": round(paragraphs / wall),
    }
    if cpu:
        out["cpu_s"] = round(cpu, 2)
        out["mb_per_cpu_s"] = round(text_bytes / 1e6 / cpu, 3)
    return out


def bench_segment(root: Path, label: str, breakdown_limit: int = 40_000) -> dict[str, Any]:
    """word_tokens over every paragraph on 1 and 2 processes, plus where its time goes."""
    from engine import analysis
    from engine.contract import IndexDocument
    from engine.documents import index_fields

    texts = _texts(root, label)
    text_bytes = sum(len(t.encode("utf-8")) for t in texts)
    with Timer() as load:
        analysis.word_tokens("工会")
    result: dict[str, Any] = {
        "paragraphs": len(texts),
        "text_mb": mb(text_bytes),
        "dictionary_load_s": round(load.seconds, 2),
    }
    repeats = 2 if len(texts) <= 200_000 else 1
    runs_one, runs_two = [], []
    for attempt in range(repeats):
        log(f"segment {label}: word_tokens on 1 process over {len(texts):,} paragraphs (run {attempt + 1}/{repeats}) …")
        load_before = loadavg()
        with Timer() as one:
            tokens = sum(len(analysis.word_tokens(t)) for t in texts)
        runs_one.append(
            {**_rate(text_bytes, len(texts), one.seconds, one.cpu), "tokens": tokens, "loadavg_before": load_before}
        )
        log(f"segment {label}: 1 process {runs_one[-1]['mb_per_s']} MB/s; now 2 processes …")
        load_before = loadavg()
        two = _segment_parallel(texts, 2)
        runs_two.append(
            {
                **_rate(text_bytes, len(texts), two["wall_s"], two["cpu_s"]),
                "tokens": two["tokens"],
                "loadavg_before": load_before,
            }
        )
        log(f"segment {label}: 2 processes {runs_two[-1]['mb_per_s']} MB/s")
    # Best of the runs: the machine is shared, and other people's work only ever slows a run down.
    result["word_tokens_1proc"] = {**max(runs_one, key=lambda r: r["mb_per_s"]), "runs": runs_one}
    result["word_tokens_2proc"] = {**max(runs_two, key=lambda r: r["mb_per_s"]), "runs": runs_two}

    # Where word_tokens' time goes, on one process, over a prefix of the corpus.
    sample = texts[:breakdown_limit]
    sample_bytes = sum(len(t.encode("utf-8")) for t in sample)
    tokenizer = analysis.segmenter()
    breakdown: dict[str, Any] = {"paragraphs": len(sample), "text_mb": mb(sample_bytes)}
    folded = [analysis.fold(x) for x in sample]
    docs = [
        IndexDocument(
            paragraph_id=f"p{i}", article_id="a", position=i, text=x, title="", source_path="s", source_sha256=""
        )
        for i, x in enumerate(sample)
    ]
    cut = getattr(tokenizer, "lcut", None) or tokenizer.cut  # jieba.Tokenizer or rjieba.Jieba
    breakdown["segmenter"] = type(tokenizer).__module__ + "." + type(tokenizer).__name__
    steps = {
        "fold": lambda: [analysis.fold(x) for x in sample],
        "jieba_tokenize_search": lambda: [list(tokenizer.tokenize(x, mode="search")) for x in folded],
        "jieba_cut_default": lambda: [cut(x) for x in folded],
        "word_tokens": lambda: [analysis.word_tokens(x) for x in sample],
        "char_tokens": lambda: [analysis.char_tokens(x) for x in sample],
        "index_fields": lambda: [index_fields(d) for d in docs],
    }
    for name, step in steps.items():
        breakdown[name] = _best(step, sample_bytes, len(sample))
    result["breakdown_1proc"] = breakdown
    result["segmenters"] = compare_segmenters(sample, sample_bytes)
    save_result("segment", label, result)
    return result


def _best(step: Any, text_bytes: int, paragraphs: int, repeats: int = 2) -> dict[str, Any]:
    """The fastest of ``repeats`` runs of ``step`` (others' load on a shared machine only slows runs down)."""
    best: dict[str, Any] | None = None
    for _ in range(repeats):
        with Timer() as t:
            step()
        rate = _rate(text_bytes, paragraphs, t.seconds, t.cpu)
        if best is None or rate["mb_per_s"] > best["mb_per_s"]:
            best = rate
    assert best is not None
    return best


# --------------------------------------------------------------------------- jieba vs jieba-rs


def _split_like_engine(words: Sequence[str]) -> list[str]:
    """The engine's post-processing of segmenter output (engine.analysis.word_tokens), for both segmenters."""
    from engine import analysis

    out: list[str] = []
    for word in words:
        if all(map(analysis.is_word_char, word)):
            out.append(word)
        else:
            out.extend(piece for piece in re.split(r"[^\w]+|_+", word) if piece)
    return out


def _stock_jieba() -> Any:
    import logging

    import jieba

    from engine import analysis

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(analysis.USER_DICT))
    tokenizer.initialize()
    return tokenizer


def _rjieba() -> Any:
    import rjieba

    from engine import analysis

    segmenter = rjieba.Jieba()
    for line in analysis.USER_DICT.read_text(encoding="utf-8").splitlines():
        word, *rest = line.split() or [""]
        if word:
            segmenter.add_word(
                word, int(rest[0]) if rest and rest[0].isdigit() else None, rest[1] if len(rest) > 1 else None
            )
    return segmenter


def compare_segmenters(sample: Sequence[str], sample_bytes: int) -> dict[str, Any]:
    """Stock jieba 0.42 and rjieba (jieba-rs), each with the user dictionary: speed and token agreement.

    Both run search mode over folded text with the engine's own
    post-processing, i.e. each is a drop-in ``word_tokens``; which one the
    engine uses does not matter here.
    """
    from engine import analysis

    out: dict[str, Any] = {"engine_uses": type(analysis.segmenter()).__module__}
    made: dict[str, Any] = {}
    for name, factory in (("jieba", _stock_jieba), ("rjieba", _rjieba)):
        try:
            made[name] = factory()
        except ImportError:
            out[name] = {"installed": False}
    folded = [analysis.fold(x) for x in sample]
    for name, seg in made.items():
        cut = getattr(seg, "lcut", None) or seg.cut
        out[name] = {
            "installed": True,
            "cut_default_1proc": _best(lambda seg=cut: [seg(x) for x in folded], sample_bytes, len(sample)),
            "tokenize_search_1proc": _best(
                lambda seg=seg: [list(seg.tokenize(x, mode="search")) for x in folded], sample_bytes, len(sample)
            ),
            "word_tokens_equivalent_1proc": _best(
                lambda seg=seg: [
                    _split_like_engine([w for w, _s, _e in seg.tokenize(analysis.fold(x), mode="search")])
                    for x in sample
                ],
                sample_bytes,
                len(sample),
            ),
        }
    if len(made) == 2:

        def words(seg: Any, text: str) -> list[str]:
            return _split_like_engine([w for w, _s, _e in seg.tokenize(analysis.fold(text), mode="search")])

        def agreement(texts: Sequence[str]) -> dict[str, Any]:
            same = 0
            examples: list[dict[str, Any]] = []
            for text in texts:
                a, b = words(made["jieba"], text), words(made["rjieba"], text)
                if a == b:
                    same += 1
                elif len(examples) < 4:
                    sa, sb = set(a), set(b)
                    examples.append(
                        {"text": text[:60], "jieba_only": sorted(sa - sb)[:8], "rjieba_only": sorted(sb - sa)[:8]}
                    )
            return {
                "paragraphs": len(texts),
                "identical_paragraphs": same,
                "identical_share": round(same / len(texts), 4) if texts else None,
                "examples": examples,
            }

        out["agreement_samples"] = agreement(_sample_texts())
        out["agreement_corpus_prefix"] = agreement(list(sample[:5000]))
    return out


def _sample_texts() -> list[str]:
    from indexer.pipeline import parse_file

    samples = REPO / "samples"
    texts: list[str] = []
    for path in sorted(p for p in samples.iterdir() if p.is_file()):
        texts += [p.text for p in parse_file(path, samples).paragraphs]
    return texts


# --------------------------------------------------------------------------- (c) full ingest


def _ingest_cmd(archive: Path, index: Path | None, workers: int, rebuild: bool) -> list[str]:
    cmd = [PYTHON, "-m", "indexer", "ingest", str(archive), "--workers", str(workers)]
    if index is not None:
        cmd += ["--index", str(index)]
    if rebuild:
        cmd.append("--rebuild")
    return cmd


def _run_ingest(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = run_measured(cmd, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run["cpu_s"] = round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2)
    # ru_maxrss of RUSAGE_CHILDREN: the largest single descendant ever waited for (KiB), a cross-check.
    run["rusage_children_maxrss_mib"] = mib(after.ru_maxrss * 1024)
    run["seconds"] = round(run["seconds"], 2)
    if run["returncode"] != 0:
        # A failed run's timings would read as a record-breaking ingest: stop instead.
        raise SystemExit(f"ingest failed ({run['returncode']}): {run['stderr_tail']}")
    return run


def bench_ingest(root: Path, label: str, workers_list: Sequence[int] = (1, 2)) -> dict[str, Any]:
    """Full ingest subprocesses on 1 and 2 workers, incremental re-ingest, and ES when ES_URL is set."""
    archive = archive_dir(root, label)
    parse = load_result("parse", label) or bench_parse(root, label)
    segment = load_result("segment", label)
    text_bytes, paragraphs = parse["text_bytes"], parse["paragraphs"]
    env = {k: v for k, v in os.environ.items() if k not in ("ES_URL", "ES_INDEX")}
    env["TQDM_DISABLE"] = "1"
    env["PYTHONPATH"] = str(REPO)
    result: dict[str, Any] = {
        "paragraphs": paragraphs,
        "text_mb": mb(text_bytes),
        "disk_mb": parse["disk_mb"],
        "embedded": {},
    }
    for workers in workers_list:
        index = index_dir(root, label, workers)
        shutil.rmtree(index, ignore_errors=True)
        log(f"ingest {label}: --workers {workers} (full, --rebuild) …")
        run = _run_ingest(_ingest_cmd(archive, index, workers, rebuild=True), env)
        size = dir_bytes(index) if index.exists() else 0
        # What the run would take with both cores to itself: the busiest serial part (the main
        # process parses and writes) or the whole CPU spread over the cores, whichever is longer.
        total_cpu = run["main_cpu_s"] + run["children_cpu_s"]
        idle_estimate = max(run["main_cpu_s"], total_cpu / min(workers, 2)) if workers > 1 else total_cpu
        entry = {
            **{k: v for k, v in run.items() if k != "stdout"},
            "mb_per_s": round(text_bytes / 1e6 / run["seconds"], 3),
            "mb_per_cpu_s": round(text_bytes / 1e6 / run["cpu_s"], 3) if run["cpu_s"] else None,
            "paragraphs_per_s": round(paragraphs / run["seconds"]),
            "uncontended_estimate_s": round(idle_estimate, 2),
            "uncontended_estimate_mb_per_s": round(text_bytes / 1e6 / idle_estimate, 3) if idle_estimate else None,
            "index_bytes": size,
            "index_mb": mb(size),
            "index_to_text": round(size / text_bytes, 2) if text_bytes else None,
            "index_to_disk": round(size / (parse["disk_mb"] * 1e6), 2) if parse["disk_mb"] else None,
        }
        floor = (segment or {}).get(f"word_tokens_{min(workers, 2)}proc")
        if floor:
            entry["segmentation_floor_mb_per_s"] = floor["mb_per_s"]
            entry["share_of_floor"] = round(entry["mb_per_s"] / floor["mb_per_s"], 3)
            # Same comparison on CPU time (robust to other people's load): MB per CPU-second.
            if floor.get("mb_per_cpu_s") and entry["mb_per_cpu_s"]:
                entry["share_of_floor_cpu"] = round(entry["mb_per_cpu_s"] / floor["mb_per_cpu_s"], 3)
        log(
            f"ingest {label} w{workers}: {run['seconds']} s, {entry['mb_per_s']} MB/s, "
            f"tree peak {run['tree_peak_rss_mib']} MiB, index {entry['index_mb']} MB"
        )
        result["embedded"][f"w{workers}"] = entry
    last = index_dir(root, label, workers_list[-1])
    log(f"ingest {label}: incremental re-ingest of the unchanged archive …")
    again = _run_ingest(_ingest_cmd(archive, last, workers_list[-1], rebuild=False), env)
    result["incremental_unchanged"] = {k: v for k, v in again.items() if k != "stdout"}
    log(f"ingest {label}: incremental {again['seconds']} s")

    if os.environ.get("ES_URL"):
        es_env = dict(env, ES_URL=os.environ["ES_URL"], ES_INDEX=f"bench-{label}")
        log(f"ingest {label}: Elasticsearch at ES_URL …")
        run = _run_ingest(_ingest_cmd(archive, None, workers_list[-1], rebuild=True), es_env)
        result["elasticsearch"] = {
            **{k: v for k, v in run.items() if k != "stdout"},
            "mb_per_s": round(text_bytes / 1e6 / run["seconds"], 3),
            "paragraphs_per_s": round(paragraphs / run["seconds"]),
        }
    else:
        result["elasticsearch"] = {"skipped": "ES_URL not set"}
    save_result("ingest", label, result)
    return result


# --------------------------------------------------------------------------- what dominates


_CATEGORIES = {
    "parse (read+clean+split+enrich)": ("parse_file",),
    "sha256 of files": ("file_sha256",),
    "jieba words (word_tokens)": ("word_tokens",),
    "bigrams (char_tokens)": ("char_tokens",),
    "engine write (replace_source minus analysis)": ("replace_source",),
    "commit / merge": ("commit", "finish_rebuild"),
}


def profile_ingest(root: Path, label: str, limit_files: int | None = None) -> dict[str, Any]:
    """pyinstrument over an in-process ``--workers 1`` ingest: the share of each stage."""
    from pyinstrument import Profiler

    from engine import analysis
    from indexer.ingest import run_ingest
    from indexer.pipeline import discover

    archive = archive_dir(root, label)
    target = work_dir(root, label) / "profile-subset"
    paths: list[str] = [str(archive)]
    if limit_files:
        paths = [str(p) for p, _ in list(discover([archive]))[:limit_files]]
    shutil.rmtree(target, ignore_errors=True)
    from indexer.enrichment.writer import word_tags

    analysis.word_tokens("工会")  # dictionary loads are start-up, not ingest:
    word_tags()  # jieba's words and its part-of-speech table
    os.environ["TQDM_DISABLE"] = "1"
    profiler = Profiler(interval=0.002)
    profiler.start()
    started = time.perf_counter()
    run_ingest(paths, index_dir=str(target), rebuild=True, workers=1)
    wall = time.perf_counter() - started
    profiler.stop()
    session = profiler.last_session
    root_frame = session.root_frame() if session else None
    totals: dict[str, float] = defaultdict(float)
    inner: dict[str, float] = defaultdict(float)

    def walk(frame: Any, active: frozenset[str]) -> None:
        name = (frame.function or "").rsplit(".", 1)[-1]  # C functions come as "Class.method"
        matched = active
        for category, names in _CATEGORIES.items():
            if name in names and category not in active:
                totals[category] += frame.time
                matched = matched | {category}
        if "jieba words (word_tokens)" in active or name == "word_tokens":
            if name == "fold":
                inner["word_tokens: fold"] += frame.time
            elif name == "tokenize":
                inner["word_tokens: segmenter tokenize (jieba / jieba-rs)"] += frame.time
        if name in ("add_document", "dumps") and "engine write (replace_source minus analysis)" in active:
            inner[f"engine write: {name}"] += frame.time
        if name == "ensure_analyzed":
            inner["replace_source: ensure_analyzed (analysis inline)"] += frame.time
        for child in frame.children:
            walk(child, matched)

    if root_frame is not None:
        walk(root_frame, frozenset())
    total = root_frame.time if root_frame is not None else wall
    # replace_source includes analysis when documents arrive unanalysed; with workers=1
    # analyze_documents runs inline before replace_source, so it does not.
    shares = {k: {"s": round(v, 2), "share": round(v / total, 3)} for k, v in totals.items()}
    details = {k: {"s": round(v, 2), "share": round(v / total, 3)} for k, v in inner.items()}
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    (Path(__file__).parent / "results").mkdir(exist_ok=True)
    (Path(__file__).parent / "results" / f"{label}-ingest-profile.txt").write_text(text, encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    result = {
        "wall_s": round(wall, 2),
        "profiled_s": round(total, 2),
        "files": limit_files or "all",
        "stages": shares,
        "details": details,
    }
    save_result("ingest-profile", label, result)
    log(f"profile {label}: {json.dumps(shares, ensure_ascii=False)}")
    return result


def rss_now() -> float:
    return mib(proc_status(os.getpid()).get("VmRSS", 0))
