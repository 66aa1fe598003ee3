"""``python -m bench.load``: a bounded load test of the portal under gunicorn, on loopback only.

What it does, and why each step:

1. builds an embedded index of ``samples/`` (or uses ``--index``) with the
   real ``python -m indexer ingest``;
2. starts gunicorn with ``deploy/gunicorn.conf.py`` on a free 127.0.0.1 port
   (never another interface: this must not load anything but this machine);
3. runs ``--clients`` (16) concurrent clients for ``--duration`` (60) seconds
   over a mixed request set — HTML search pages, the JSON API with filters,
   phrases, OR and exclusions, deep pages, facets, article and copies pages,
   the overview — each client a thread with its own seeded choice of requests;
4. samples the memory of every gunicorn worker at the start, the middle and the
   end (and every ``--sample-every`` seconds in between), split into what the
   workers share and what each holds privately: /proc/<pid>/status (RssAnon:
   private heap; RssFile: file pages, most of them the memory-mapped index;
   RssShmem), /proc/<pid>/smaps_rollup (Shared_* vs Private_*, Pss) and
   /proc/<pid>/smaps (resident pages of the mappings under the index folder),
   to see how much is shared index pages and whether private memory stays flat;
5. stops gunicorn (SIGTERM to the master it started, SIGKILL after 30 s) and
   prints the figures; ``--write`` puts them in the "Load" section of
   bench/RESULTS.md (only that section, or with ``--label`` only that label's
   block inside it, is touched).

It stops by itself: the duration is capped at 600 s and every request has a
timeout. An error is any answer other than 200, or no answer.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parent.parent
RESULTS_MD = REPO / "bench" / "RESULTS.md"
RESULTS_JSON = REPO / "bench" / "results" / "load.json"
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
MAX_DURATION_S = 600
REQUEST_TIMEOUT_S = 30
SECTION_START, SECTION_END = "<!-- load -->", "<!-- /load -->"

#: Words and phrases of the samples and the union domain; some match nothing, on purpose.
QUERIES = [
    "送温暖", "工会", "职工", "困难职工", "工资集体协商", "厂务公开", "职工之家", "劳动竞赛", "安全生产",
    "女职工", "农民工", "维权", "帮扶", "慰问", "职代会", "会员", "建会", "经费", "下一步", "存在问题",
    '"困难职工"', '"工会工作"', "职工 帮扶", "工会 -企业", "送温暖 OR 慰问", "劳模 OR 技能 OR 比武",
    "学习 宣传", "上半年", "不存在的词语组合", "xx镇",
]  # fmt: skip


@dataclass
class Sample:
    """One answered (or failed) request."""

    kind: str
    status: int  # 0: no answer (connection error, timeout)
    ms: float


@dataclass
class ClientLog:
    """What one client thread saw."""

    samples: list[Sample] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


# --------------------------------------------------------------------------- the request mix


def request_mix(article_ids: list[str], duplicate_keys: list[str], townships: list[str]) -> list[tuple[str, str, int]]:
    """(kind, path, weight): what the clients ask, in proportions like real use."""
    mix: list[tuple[str, str, int]] = []
    for q in QUERIES:
        mix.append(("page", "/?" + urlencode({"q": q}), 6))
        mix.append(("api", "/api/search?" + urlencode({"q": q, "size": 20}), 4))
    for q in QUERIES[:8]:
        mix.append(("api-sort-year", "/api/search?" + urlencode({"q": q, "sort": "year", "collapse": 0}), 1))
        mix.append(("page-2", "/?" + urlencode({"q": q, "page": 2}), 1))
    for town in townships[:5]:
        mix.append(("filtered", "/?" + urlencode({"q": "工会", "township": town}), 2))
        mix.append(("facets", "/api/facets?" + urlencode({"township": town}), 1))
    mix.append(("browse", "/?" + urlencode({"period": "上半年"}), 2))
    mix.append(("facets", "/api/facets", 1))
    for article in article_ids[:10]:
        mix.append(("article", f"/articles/{quote(article)}?" + urlencode({"q": "职工"}), 3))
        mix.append(("api-article", f"/api/articles/{quote(article)}", 1))
    for key in duplicate_keys[:5]:
        mix.append(("copies", f"/copies/{quote(key)}", 1))
    mix.append(("overview", "/overview", 1))
    mix.append(("healthz", "/healthz", 1))
    return mix


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request("GET", path, headers={"User-Agent": "bench.load"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def discover_targets(port: int) -> tuple[list[str], list[str], list[str]]:
    """Article ids, duplicate keys and townships present in the index (asked once, before the run)."""
    _, body = _get(port, "/api/search?" + urlencode({"q": "工会", "size": 50, "collapse": 0}))
    hits = json.loads(body)["hits"]
    _, body = _get(port, "/api/facets?facet_size=20")
    towns = [f["value"] for f in json.loads(body)["facets"].get("township", [])]
    return (
        list(dict.fromkeys(h["article_id"] for h in hits)),
        list(dict.fromkeys(h["duplicate_key"] for h in hits)),
        towns,
    )


def client(port: int, mix: list[tuple[str, str, int]], deadline: float, seed: int, log: ClientLog) -> None:
    """Ask requests from ``mix`` (weighted, seeded) until ``deadline``; one connection per request."""
    rng = random.Random(seed)
    choices, weights = [(k, p) for k, p, _ in mix], [w for _, _, w in mix]
    while time.monotonic() < deadline:
        kind, path = rng.choices(choices, weights)[0]
        started = time.perf_counter()
        try:
            status, _ = _get(port, path)
        except (OSError, http.client.HTTPException) as exc:
            status = 0
            log.errors[f"{kind}: {type(exc).__name__}"] += 1
        ms = (time.perf_counter() - started) * 1000
        log.samples.append(Sample(kind, status, ms))
        if status not in (200, 0):
            log.errors[f"{kind}: HTTP {status} {path}"] += 1


# --------------------------------------------------------------------------- gunicorn and its workers


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (the gunicorn workers of the master), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid and fields[0] != "Z":
                    found.append(int(entry.name))
    return sorted(found)


STATUS_FIELDS = ("VmRSS", "RssAnon", "RssFile", "RssShmem")
ROLLUP_FIELDS = ("Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty")
_KB_LINE = re.compile(r"^([A-Za-z_]+):\s+(\d+) kB$", re.MULTILINE)
_MAPPING_LINE = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")
#: Private memory is "flat" when the workers' largest RssAnon in the second half of a run is at most this much higher.
FLAT_MIB = 5.0


def parse_kb_fields(text: str, names: tuple[str, ...]) -> dict[str, int]:
    """The ``Name:  123 kB`` lines of /proc/<pid>/status or smaps_rollup, in kB, for ``names`` (first occurrence)."""
    found: dict[str, int] = {}
    for match in _KB_LINE.finditer(text):
        if match.group(1) in names and match.group(1) not in found:
            found[match.group(1)] = int(match.group(2))
    return found


def parse_smaps_under(text: str, prefix: str) -> dict[str, int]:
    """Sum Rss, Shared_* and Private_* (kB) of the /proc/<pid>/smaps mappings whose file lies under ``prefix``.

    A mapping starts with a line ``start-end perms offset dev inode [path]``; the path may hold spaces and a
    `` (deleted)`` suffix (an index generation replaced while still mapped counts as under the folder too).
    """
    totals = {"Rss": 0, "Shared": 0, "Private": 0, "mappings": 0}
    inside = False
    root = prefix.rstrip("/") + "/"
    for line in text.splitlines():
        if _MAPPING_LINE.match(line):
            parts = line.split(None, 5)
            path = parts[5].strip() if len(parts) == 6 else ""
            inside = path.startswith(root)
            totals["mappings"] += inside
            continue
        if not inside:
            continue
        name, _, rest = line.partition(":")
        if name in ("Rss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty"):
            value = int(rest.split()[0])
            totals[name.split("_")[0]] += value
    return totals


def memory_of(status: str, rollup: str, smaps: str, index_dir: str) -> dict[str, float]:
    """One worker's memory in MiB from the texts of its status, smaps_rollup and smaps.

    ``anon`` (RssAnon) is the private heap; ``file`` (RssFile) the resident file pages, of which ``index`` are the
    index folder's memory-mapped segments (``index_shared``: the part another process maps too); ``shared`` and
    ``private`` are smaps_rollup's Shared_* and Private_* (a file page only one worker has touched counts as private
    there, although any other worker may map it for free).
    """
    kb = parse_kb_fields(status, STATUS_FIELDS)
    roll = parse_kb_fields(rollup, ROLLUP_FIELDS)
    index = parse_smaps_under(smaps, index_dir) if smaps else {"Rss": 0, "Shared": 0, "Private": 0}

    def mib(value: int | None) -> float:
        return round((value or 0) / 1024, 1)

    return {
        "rss": mib(kb.get("VmRSS")),
        "anon": mib(kb.get("RssAnon")),
        "file": mib(kb.get("RssFile")),
        "shmem": mib(kb.get("RssShmem")),
        "index": mib(index["Rss"]),
        "index_shared": mib(index["Shared"]),
        "shared": mib(roll.get("Shared_Clean", 0) + roll.get("Shared_Dirty", 0)),
        "private": mib(roll.get("Private_Clean", 0) + roll.get("Private_Dirty", 0)),
        "pss": mib(roll.get("Pss")),
    }


def worker_memory(pid: int, index_dir: str) -> dict[str, float] | None:
    """Memory of one process (see memory_of), None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        smaps = Path(f"/proc/{pid}/smaps").read_text()
    except OSError:
        return None
    return memory_of(status, rollup, smaps, index_dir)


def sample_workers(master: int, index_dir: str) -> dict[str, dict[str, float]]:
    """pid → memory (MiB, see memory_of) of every worker now."""
    return {str(pid): mem for pid in children(master) if (mem := worker_memory(pid, index_dir)) is not None}


def sampler(master: int, index_dir: str, every: float, started: float, stop_at: threading.Event, out: list) -> None:
    """Every ``every`` seconds until ``stop_at``: the workers' memory, as {"t": seconds since start, "workers"}."""
    while not stop_at.wait(every):
        out.append({"t": round(time.monotonic() - started, 1), "workers": sample_workers(master, index_dir)})


def start_gunicorn(port: int, index: Path, workers: int | None, log_path: Path) -> subprocess.Popen[bytes]:
    """gunicorn with the deployment config, bound to loopback, reading ``index``."""
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "INDEX_DIR": str(index), "LOG_LEVEL": "warning"}
    env.pop("ES_URL", None)  # the load test measures the embedded engine
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [GUNICORN, "--config", "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until /healthz answers 200 (the workers have imported the app and opened the index)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if _get(port, "/healthz")[0] == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the master we started (it stops its workers), SIGKILL to its group after 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --------------------------------------------------------------------------- figures


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


def private_flatness(snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    """Is the workers' private heap (RssAnon) bounded over the run?

    ``snapshots`` are {"t", "workers": {pid: memory}} in time order. gunicorn's max_requests recycles workers, so
    one pid ends and a fresh one starts, whose heap fills as its caches warm up; the growth within one worker's
    life therefore mixes warm-up with leaks. The verdict compares ceilings instead: the largest RssAnon of any
    worker in the second half of the run against the first half; "flat" when it is at most FLAT_MIB higher.
    Each pid's first, last and peak value are kept too.
    """
    lives: dict[str, dict[str, float]] = {}
    for snap in snapshots:
        for pid, mem in snap["workers"].items():
            life = lives.setdefault(pid, {"first_t": snap["t"], "first": mem["anon"], "peak": mem["anon"]})
            life.update(last_t=snap["t"], last=mem["anon"], peak=max(life["peak"], mem["anon"]))
    for life in lives.values():
        life["growth"] = round(life["last"] - life["first"], 1)
    end_t = snapshots[-1]["t"] if snapshots else 0.0
    halves: tuple[list[float], list[float]] = ([], [])
    for snap in snapshots:
        halves[snap["t"] > end_t / 2].extend(mem["anon"] for mem in snap["workers"].values())
    first_ceiling = max(halves[0], default=None)
    second_ceiling = max(halves[1], default=None)
    growth = [life["growth"] for life in lives.values()]
    whole = [life for life in lives.values() if life["first_t"] == snapshots[0]["t"]] if snapshots else []
    return {
        "workers_seen": len(lives),
        "lived_whole_run": sum(1 for life in whole if life["last_t"] == end_t),
        "max_growth_mib": max(growth) if growth else None,
        "ceiling_first_half_mib": first_ceiling,
        "ceiling_second_half_mib": second_ceiling,
        "flat": first_ceiling is not None and second_ceiling is not None and second_ceiling <= first_ceiling + FLAT_MIB,
        "by_pid": lives,
    }


def summarise(logs: list[ClientLog], seconds: float, memory: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """Totals, latency percentiles, errors, memory: the figures of one run."""
    samples = [s for log in logs for s in log.samples]
    ok = [s.ms for s in samples if s.status == 200]
    errors: Counter[str] = Counter()
    for log in logs:
        errors.update(log.errors)
    by_kind: dict[str, list[float]] = {}
    for s in samples:
        by_kind.setdefault(s.kind, []).append(s.ms)
    return {
        "recorded": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "loadavg_at_start": config.pop("loadavg_at_start", None),
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
        "config": config,
        "seconds": round(seconds, 1),
        "requests": len(samples),
        "errors": sum(1 for s in samples if s.status != 200),
        "error_kinds": dict(errors.most_common(10)),
        "rps": round(len(samples) / seconds, 1),
        "p50_ms": round(percentile(ok, 50), 1),
        "p95_ms": round(percentile(ok, 95), 1),
        "p99_ms": round(percentile(ok, 99), 1),
        "max_ms": round(max(ok), 1) if ok else None,
        "by_kind": {
            kind: {"n": len(ms), "p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1)}
            for kind, ms in sorted(by_kind.items())
        },
        "memory_mib": memory,
        "private_flatness": private_flatness(memory["timeline"]),
    }


def _memory_rows(points: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """One row per worker and point (start, middle, end)."""
    rows = []
    for point in ("start", "middle", "end"):
        for pid, m in sorted(points.get(point, {}).items(), key=lambda item: int(item[0])):
            other_file = m["file"] - m["index"]
            rows.append(
                f"| {point} | {pid} | {m['rss']:.0f} | **{m['index']:.0f}** ({m['index_shared']:.0f} shared) | "
                f"{other_file:.0f} | {m['shmem']:.0f} | **{m['anon']:.0f}** | {m['shared']:.0f} / {m['private']:.0f} "
                f"| {m['pss']:.0f} |"
            )
    return rows


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
        f"{c['duration']} s against gunicorn (`deploy/gunicorn.conf.py`, {c['workers']} sync workers, "
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
        "the index readers' native allocations); *Shared / Private*: smaps_rollup's Shared_* / Private_* (a file page "
        "only one worker has touched counts as private there); *Pss*: RSS with shared pages divided among sharers.",
        "",
        "| point | worker | VmRSS | index files | other files | RssShmem | RssAnon | Shared / Private | Pss |",
        "|---|---|---|---|---|---|---|---|---|",
        *_memory_rows(mem["points"]),
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


# --------------------------------------------------------------------------- main


def build_index(target: Path) -> None:
    """Ingest samples/ into ``target`` with the real command."""
    subprocess.run(
        [PYTHON, "-m", "indexer", "ingest", "samples", "--index", str(target), "--workers", "1"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )


def count_paragraphs(index: Path) -> int:
    """Paragraphs (documents) in an embedded index, opened and closed again in this process."""
    sys.path.insert(0, str(REPO))
    from engine.embedded import EmbeddedEngine

    engine = EmbeddedEngine(index)
    try:
        return int(engine.stats()["documents"])
    finally:
        engine.close()


def run(
    clients: int, duration: float, index: Path | None, workers: int | None, sample_every: float | None = None
) -> dict[str, Any]:
    """Build or use an index, serve it with gunicorn, load it, measure memory as it goes, stop."""
    duration = min(duration, MAX_DURATION_S)
    every = sample_every or max(5.0, duration / 20)
    with tempfile.TemporaryDirectory(prefix="union-load-") as tmp:
        source = f"`{index}`" if index else "`samples/`"
        index = (index or Path(tmp) / "index").resolve()
        if not (index / "CURRENT").exists():
            build_index(index)
        paragraphs = count_paragraphs(index)
        index_mib = round(sum(f.stat().st_size for f in index.rglob("*") if f.is_file()) / 2**20, 1)
        loadavg_at_start = [round(x, 2) for x in os.getloadavg()]
        port = free_port()
        server = start_gunicorn(port, index, workers, Path(tmp) / "gunicorn.log")
        timeline: list[dict[str, Any]] = []
        stop_sampling = threading.Event()
        try:
            wait_ready(port, server)
            mix = request_mix(*discover_targets(port))
            for _ in range(2):  # warm-up: every worker has jieba and its readers loaded
                for _, path, _ in mix:
                    _get(port, path)
            started = time.monotonic()
            points: dict[str, dict[str, dict[str, float]]] = {"start": sample_workers(server.pid, str(index))}
            timeline.append({"t": 0.0, "workers": points["start"]})
            logs = [ClientLog() for _ in range(clients)]
            deadline = started + duration
            threads = [
                threading.Thread(target=client, args=(port, mix, deadline, 1000 + i, logs[i]), daemon=True)
                for i in range(clients)
            ]
            watcher = threading.Thread(
                target=sampler, args=(server.pid, str(index), every, started, stop_sampling, timeline), daemon=True
            )
            for thread in threads:
                thread.start()
            watcher.start()
            time.sleep(duration / 2)
            points["middle"] = sample_workers(server.pid, str(index))
            for thread in threads:
                thread.join(timeout=duration + REQUEST_TIMEOUT_S + 5)
            seconds = time.monotonic() - started
            stop_sampling.set()
            watcher.join(timeout=30)
            points["end"] = sample_workers(server.pid, str(index))
            timeline.append({"t": round(time.monotonic() - started, 1), "workers": points["end"]})
            count = len(points["end"]) or workers or 0
        finally:
            stop_sampling.set()
            stop(server)
        config = {
            "clients": clients,
            "duration": duration,
            "workers": count,
            "paragraphs": paragraphs,
            "source": source,
            "index_mib": index_mib,
            "loadavg_at_start": loadavg_at_start,
        }
        memory = {"every_s": every, "points": points, "timeline": timeline}
        return summarise(logs, seconds, memory, config)


def main(argv: list[str] | None = None) -> int:
    """Command line: run, print, optionally write RESULTS.md and a JSON of the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help=f"seconds (at most {MAX_DURATION_S})")
    parser.add_argument("--index", type=Path, default=None, help="an existing embedded index (default: samples/)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the config's)")
    parser.add_argument(
        "--sample-every", type=float, default=None, help="seconds between memory samples (default: duration/20, ≥ 5)"
    )
    parser.add_argument("--label", default=None, help="e.g. 100k: write to the <!-- load:100k --> block")
    parser.add_argument("--json", type=Path, default=None, help=f"where --write puts the JSON (default {RESULTS_JSON})")
    parser.add_argument("--write", action="store_true", help="update the Load section of bench/RESULTS.md")
    args = parser.parse_args(argv)
    result = run(args.clients, args.duration, args.index, args.workers, args.sample_every)
    command = ["python -m bench.load", "--write"]
    if args.index:
        command += ["--index", str(args.index)]
    if args.label:
        command += ["--label", args.label]
    if args.duration != 60.0:
        command += ["--duration", f"{args.duration:g}"]
    if args.clients != 16:
        command += ["--clients", str(args.clients)]
    result["config"]["command"] = " ".join(command)
    markdown = render(result, args.label)
    print(markdown)
    if args.write:
        target = args.json or RESULTS_JSON
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        write_section(markdown, label=args.label)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
