"""Full ingest: ``python -m indexer ingest`` as a subprocess, and a profile of what dominates it.

``python -m indexer ingest ARCHIVE --index DIR --workers N --rebuild`` runs
for N = 1 and 2, with peak memory from /proc, CPU time from
RUSAGE_CHILDREN, index size on disk, then an incremental re-ingest of the
unchanged archive; Elasticsearch too when ES_URL is set. The parse and
segmentation benchmarks it is compared with are bench.parse and
bench.segment.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    PYTHON,
    REPO,
    archive_dir,
    dir_bytes,
    index_dir,
    load_result,
    log,
    mb,
    mib,
    proc_status,
    run_measured,
    save_result,
    work_dir,
)
from bench.parse import bench_parse


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
    env = {k: v for k, v in os.environ.items() if k not in ("ES_URL", "ES_INDEX")}
    env["TQDM_DISABLE"] = "1"
    env["PYTHONPATH"] = str(REPO)
    result: dict[str, Any] = {
        "paragraphs": parse["paragraphs"],
        "text_mb": mb(parse["text_bytes"]),
        "disk_mb": parse["disk_mb"],
        "embedded": {},
    }
    for workers in workers_list:
        index = index_dir(root, label, workers)
        shutil.rmtree(index, ignore_errors=True)
        log(f"ingest {label}: --workers {workers} (full, --rebuild) …")
        run = _run_ingest(_ingest_cmd(archive, index, workers, rebuild=True), env)
        entry = _embedded_entry(run, workers, index, parse, segment)
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
    result["elasticsearch"] = _elasticsearch_entry(archive, label, workers_list[-1], env, parse)
    save_result("ingest", label, result)
    return result


def _embedded_entry(
    run: dict[str, Any], workers: int, index: Path, parse: dict[str, Any], segment: dict[str, Any] | None
) -> dict[str, Any]:
    """One embedded run's figures: throughput, the uncontended estimate, index size, share of the floor."""
    text_bytes, paragraphs = parse["text_bytes"], parse["paragraphs"]
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
    return entry


def _elasticsearch_entry(
    archive: Path, label: str, workers: int, env: dict[str, str], parse: dict[str, Any]
) -> dict[str, Any]:
    if not os.environ.get("ES_URL"):
        return {"skipped": "ES_URL not set"}
    es_env = dict(env, ES_URL=os.environ["ES_URL"], ES_INDEX=f"bench-{label}")
    log(f"ingest {label}: Elasticsearch at ES_URL …")
    run = _run_ingest(_ingest_cmd(archive, None, workers, rebuild=True), es_env)
    return {
        **{k: v for k, v in run.items() if k != "stdout"},
        "mb_per_s": round(parse["text_bytes"] / 1e6 / run["seconds"], 3),
        "paragraphs_per_s": round(parse["paragraphs"] / run["seconds"]),
    }


# --------------------------------------------------------------------------- what dominates


_CATEGORIES = {
    "parse (read+clean+split+enrich)": ("parse_file",),
    # The ingest reads each file once (indexer.reading.source_bytes) and hashes those bytes.
    "read + sha256 of files": ("source_bytes", "file_sha256", "openssl_sha256"),
    # Ingest analyses a paragraph through engine.documents.token_views, which folds once and calls the
    # private halves of word_tokens / char_tokens; a repeated text is served from its cache (no frames).
    "jieba words (word_tokens)": ("word_tokens", "_words_of_folded"),
    "bigrams (char_tokens)": ("char_tokens", "_chars_of_folded"),
    "engine write (replace_source minus analysis)": ("replace_source",),
    "commit / merge": ("commit", "finish_rebuild"),
}
_WRITE = "engine write (replace_source minus analysis)"
_WORDS = "jieba words (word_tokens)"
_PARSE = "parse (read+clean+split+enrich)"


def profile_ingest(root: Path, label: str, limit_files: int | None = None) -> dict[str, Any]:
    """pyinstrument over an in-process ``--workers 1`` ingest: the share of each stage."""
    from pyinstrument import Profiler

    from indexer.ingest import run_ingest

    target = work_dir(root, label) / "profile-subset"
    paths = _profiled_paths(archive_dir(root, label), limit_files)
    shutil.rmtree(target, ignore_errors=True)
    _warm_dictionaries()
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
    if root_frame is not None:
        _walk(root_frame, frozenset(), totals, inner)
    total = root_frame.time if root_frame is not None else wall
    # replace_source includes analysis when documents arrive without their token views;
    # the indexer analyses them before (inline with workers=1), so it does not.
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


def _profiled_paths(archive: Path, limit_files: int | None) -> list[str]:
    """The archive, or its first ``limit_files`` files."""
    from indexer.pipeline import discover

    if not limit_files:
        return [str(archive)]
    return [str(p) for p, _ in list(discover([archive]))[:limit_files]]


def _warm_dictionaries() -> None:
    """Dictionary loads are start-up, not ingest: the same warm-up an ingest does before its workers fork."""
    from indexer.ingest import warm_up

    warm_up()


def _walk(frame: Any, active: frozenset[str], totals: dict[str, float], inner: dict[str, float]) -> None:
    """Add the time of ``frame`` and its children to the stage (and detail) it belongs to."""
    name = (frame.function or "").rsplit(".", 1)[-1]  # C functions come as "Class.method"
    matched = active
    for category, names in _CATEGORIES.items():
        if name in names and category not in active:
            totals[category] += frame.time
            matched = matched | {category}
    if name == "fold" and _PARSE not in active:  # the indexer's own folds belong to parsing
        inner["token views: fold"] += frame.time
    if _WORDS in active and name in ("tokenize", "cut_for_search"):
        inner["word_tokens: the segmenter (jieba-rs)"] += frame.time
    if name in ("add_document", "dumps") and _WRITE in active:
        inner[f"engine write: {name}"] += frame.time
    if name == "token_views" and _WRITE in active:
        inner["replace_source: token_views (analysis inline)"] += frame.time
    for child in frame.children:
        _walk(child, matched, totals, inner)


def rss_now() -> float:
    """This process's resident memory, MiB."""
    return mib(proc_status(os.getpid()).get("VmRSS", 0))
