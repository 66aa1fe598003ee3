"""The "Load" section of bench/RESULTS.md: the figures of one load test as Markdown, and writing them in."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

from bench.load_memory import FLAT_MIB

REPO = Path(__file__).resolve().parent.parent
RESULTS_MD = REPO / "bench" / "RESULTS.md"
SECTION_START, SECTION_END = "<!-- load -->", "<!-- /load -->"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def machine() -> dict[str, Any]:
    """Cores, CPU, memory, OS, Python."""
    info: dict[str, Any] = {"cores": os.cpu_count(), "python": platform.python_version()}
    info["platform"] = platform.platform(terse=True)
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
    return info


def git_commit() -> str:
    """HEAD, with +uncommitted when the code under test has local edits."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "engine", "indexer", "portal", "deploy"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        return head.stdout.strip() + ("+uncommitted" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def _memory_rows(points: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """One row per worker and point (start, middle, end)."""
    rows = []
    for point in ("start", "middle", "end"):
        for pid, m in sorted(points.get(point, {}).items(), key=lambda item: int(item[0])):
            other_file = m["file"] - m["index"]
            rows.append(
                f"| {point} | {pid} | {m['rss']:.0f} | **{m['index']:.0f}** ({m['index_shared']:.0f} shared) | "
                f"{other_file:.0f} | {m['shmem']:.0f} | **{m['anon']:.0f}** | {_heap(m)} | "
                f"{m['shared']:.0f} / {m['private']:.0f} | {m['pss']:.0f} |"
            )
    return rows


def _heap(m: dict[str, float]) -> str:
    """Private / shared-with-the-master anonymous memory ("?" in runs recorded before it was measured)."""
    if "heap_private" not in m:
        return "?"
    return f"**{m['heap_private']:.0f}** / {m['heap_shared']:.0f}"


def totals_line(memory: dict[str, Any]) -> str:
    """Per point: the workers' largest private heap, and the Pss of master + workers (the physical total)."""
    parts = []
    for point in ("start", "middle", "end"):
        workers = memory["points"].get(point, {})
        master = (memory.get("master") or {}).get(point) or {}
        if not workers:
            continue
        heaps = [m.get("heap_private", m["anon"]) for m in workers.values()]
        total = sum(m["pss"] for m in workers.values()) + master.get("pss", 0.0)
        parts.append(
            f"{point}: private heap {min(heaps):.0f}–{max(heaps):.0f} MiB per worker, Pss of the master "
            f"{master.get('pss', 0.0):.0f} MiB + {len(workers)} workers = **{total:,.0f} MiB**"
        )
    return "Totals — " + "; ".join(parts) + "." if parts else "Totals — no samples."


def _flatness_line(flat: dict[str, Any]) -> str:
    if not flat["by_pid"]:
        return "no samples"
    lives = sorted(flat["by_pid"].items(), key=lambda item: int(item[0]))
    each = ", ".join(
        f"{pid} {life['first']:.0f}→{life['last']:.0f} (peak {life['peak']:.0f}, {life['first_t']:.0f}–{life['last_t']:.0f} s)"
        for pid, life in lives
    )
    verdict = "**flat**" if flat["flat"] else "**not flat**"
    return (
        f"{verdict}: the largest RssAnon of any worker was {flat['ceiling_first_half_mib']:.1f} MiB in the first half "
        f"of the run and {flat['ceiling_second_half_mib']:.1f} MiB in the second (flat: at most {FLAT_MIB:.0f} MiB "
        f"higher). {flat['workers_seen']} worker pids seen, {flat['lived_whole_run']} lived through the whole run "
        f"(max_requests recycles them); within one worker's sampled life RssAnon grew by at most "
        f"{flat['max_growth_mib']:+.1f} MiB, the warm-up of a fresh worker. Per pid, RssAnon MiB first→last "
        f"(peak, seconds into the run): {each}"
    )


def _markers(label: str | None) -> tuple[str, str]:
    return (f"<!-- load:{label} -->", f"<!-- /load:{label} -->") if label else (SECTION_START, SECTION_END)


def render(result: dict[str, Any], label: str | None = None) -> str:
    """The Markdown of the "Load" section (or of one labelled block of it)."""
    m, c, mem = result["machine"], result["config"], result["memory_mib"]
    start_marker, end_marker = _markers(label)
    loads = result.get("loadavg_at_start")
    load_text = (f"at the start {', '.join(str(x) for x in loads)}; " if loads else "") + (
        f"at the end {', '.join(str(x) for x in result['loadavg_at_end'])} (1, 5, 15 min)"
    )
    lines = [
        f"{start_marker}",
        f"`{c.get('command', 'python -m bench.load --write')}` — {c['clients']} concurrent clients for "
        f"{c['duration']} s against gunicorn (`{c.get('gunicorn_config', 'deploy/gunicorn.conf.py')}`, "
        f"{c['workers']} sync workers, "
        f"max_requests 2000 ± 200, 127.0.0.1 only) over an embedded index of {c.get('source', '`samples/`')} "
        f"({c['paragraphs']:,} paragraphs, {c.get('index_mib', '?')} MiB on disk); a mixed request set: HTML search "
        "pages, the JSON API (phrases, OR, exclusions, filters, year sort, page 2), facets, article and copies "
        "pages, overview, healthz. One new connection per request (gunicorn's sync workers close after each answer).",
        "",
        f"- **Machine**: {m.get('cores')} cores ({m.get('cpu', '?')}), {m.get('memory_gib', '?')} GiB, "
        f"{m.get('platform')}, Python {m.get('python')}; the clients run on the same cores as the server, and the "
        f"machine is shared with other test runs. Load average {load_text}.",
        f"- **Date**: {result['recorded'][:10]} · **commit**: {result['commit']}",
        "",
        "| requests | req/s | p50 | p95 | p99 | max | errors |",
        "|---|---|---|---|---|---|---|",
        f"| {result['requests']:,} | {result['rps']} | {result['p50_ms']} ms | {result['p95_ms']} ms | "
        f"{result['p99_ms']} ms | {result['max_ms']} ms | **{result['errors']}** |",
        "",
        "Worker memory in MiB. *index files*: resident pages of the memory-mapped index (smaps, mappings under "
        "the index folder; the page cache holds them once for all workers); *other files*: RssFile minus those "
        "(Python, native libraries); *RssAnon*: the private heap (Python objects, the segmenter's dictionary, "
        "the index readers' native allocations, with what the worker still shares with the master); *heap private / "
        "shared*: RssAnon split into Private_Dirty (this worker's alone) and the rest (pages preloaded by the master, "
        "shared copy-on-write); *Shared / Private*: smaps_rollup's Shared_* / Private_* (a file page "
        "only one worker has touched counts as private there); *Pss*: RSS with shared pages divided among sharers.",
        "",
        "| point | worker | VmRSS | index files | other files | RssShmem | RssAnon | heap private / shared "
        "| Shared / Private | Pss |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *_memory_rows(mem["points"]),
        "",
        totals_line(mem),
        "",
        f"Private memory over the run (sampled every {mem['every_s']:.0f} s): "
        + _flatness_line(result["private_flatness"]),
        "",
        "| request kind | n | p50 | p95 |",
        "|---|---|---|---|",
        *(f"| {k} | {v['n']:,} | {v['p50_ms']} ms | {v['p95_ms']} ms |" for k, v in result["by_kind"].items()),
    ]
    if result["error_kinds"]:
        lines += ["", "Errors: " + "; ".join(f"{k} ×{n}" for k, n in result["error_kinds"].items())]
    lines.append(end_marker)
    return "\n".join(lines)


def write_section(markdown: str, path: Path = RESULTS_MD, label: str | None = None) -> None:
    """Replace this run's block of the "Load" section of RESULTS.md (between its markers); nothing else changes.

    Without ``label`` the block is the one between ``<!-- load -->`` markers; with one, ``<!-- load:<label> -->``.
    A labelled block not there yet goes after the last load block; with none at all a "## Load" section is appended.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start_marker, end_marker = _markers(label)
    block = re.compile(re.escape(start_marker) + r".*?" + re.escape(end_marker), re.DOTALL)
    last_end = max((m.end() for m in re.finditer(r"<!-- /load(?::[^ ]+)? -->", text)), default=-1)
    if block.search(text):
        text = block.sub(lambda _: markdown, text)
    elif last_end >= 0:
        text = text[:last_end] + "\n\n" + markdown + text[last_end:]
    else:
        text = text.rstrip("\n") + "\n\n## Load\n\n" + markdown + "\n"
    path.write_text(text, encoding="utf-8")
