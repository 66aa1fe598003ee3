"""Shared helpers of the benchmarks: where things live, sizes, machine facts, process memory.

Everything a run produces outside the repository lives under one work folder
(``--root``, default /tmp/union-bench)::

    /tmp/union-bench/<size>/archive/         the generated corpus (real files)
    /tmp/union-bench/<size>/manifest.json    what the generator wrote
    /tmp/union-bench/<size>/paragraphs.jsonl the parsed paragraphs (cache for segmentation and alternatives)
    /tmp/union-bench/<size>/index-w<N>/      embedded indexes built by the ingest benchmark
    /tmp/union-bench/<size>/fts5.sqlite      the SQLite FTS5 trigram comparison index

Figures are kept as JSON in bench/results/ (one file per benchmark and size)
so that bench/report/ can rebuild the tables of bench/RESULTS.md from them.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_ROOT = Path(os.environ.get("UNION_BENCH_ROOT", "/tmp/union-bench"))
#: The repository's venv when there is one, else the interpreter running the benchmark.
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")


def parse_size(text: str) -> int:
    """'10k' → 10_000, '1m' → 1_000_000, '2500' → 2500."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (use e.g. 10k, 100k, 1m)")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * {"": 1, "k": 1_000, "m": 1_000_000}[unit])


def size_label(paragraphs: int) -> str:
    """10_000 → '10k', 1_000_000 → '1m'."""
    if paragraphs % 1_000_000 == 0:
        return f"{paragraphs // 1_000_000}m"
    if paragraphs % 1_000 == 0:
        return f"{paragraphs // 1_000}k"
    return str(paragraphs)


def work_dir(root: Path, label: str) -> Path:
    """The folder of one archive size under the bench root."""
    return Path(root) / label


def archive_dir(root: Path, label: str) -> Path:
    """The generated archive of one size."""
    return work_dir(root, label) / "archive"


def paragraphs_file(root: Path, label: str) -> Path:
    """paragraphs.jsonl of one size (written by the parse benchmark)."""
    return work_dir(root, label) / "paragraphs.jsonl"


def index_dir(root: Path, label: str, workers: int) -> Path:
    """The embedded index the ingest benchmark built with ``workers`` workers."""
    return work_dir(root, label) / f"index-w{workers}"


# --------------------------------------------------------------------------- results


def save_result(kind: str, label: str, data: dict[str, Any]) -> Path:
    """Write one benchmark's figures to bench/results/<label>-<kind>.json."""
    RESULTS_DIR.mkdir(exist_ok=True)
    data = {
        "kind": kind,
        "size": label,
        "recorded": now_iso(),
        "commit": git_commit(),
        "loadavg_at_end": loadavg(),
        **data,
    }
    path = RESULTS_DIR / f"{label}-{kind}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def load_result(kind: str, label: str) -> dict[str, Any] | None:
    """A saved result (bench/results/<label>-<kind>.json), or None."""
    path = RESULTS_DIR / f"{label}-{kind}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def loadavg() -> list[float]:
    """1, 5 and 15 minute load averages: how contended the shared machine was."""
    return [round(x, 2) for x in os.getloadavg()]


def now_iso() -> str:
    """The local time now, ISO 8601 to the second."""
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def git_commit() -> str:
    """HEAD, with +uncommitted when the code under test has local edits."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "engine", "indexer", "portal", "deploy"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out + ("+uncommitted" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, OS and Python: the facts a figure depends on."""
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }
    try:
        sched = os.sched_getaffinity(0)
        info["usable_cores"] = len(sched)
    except AttributeError:
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """Percentiles and extremes of latencies in ms."""
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else float("nan"),
        "max_ms": round(max(ms), 2) if ms else float("nan"),
    }


class Timer:
    """``with Timer() as t: …`` then ``t.seconds`` (wall) and ``t.cpu`` (this process's CPU)."""

    def __enter__(self) -> Timer:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


# --------------------------------------------------------------------------- process memory (no psutil)


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM (bytes) of one process from /proc/<pid>/status; {} once it is gone."""
    out: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
            key, value = line.split(":", 1)
            out[key] = int(value.split()[0]) * 1024
    return out


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_cpu(pid: int) -> float | None:
    """User + system CPU seconds used so far by one process (/proc/<pid>/stat), None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def descendants(pid: int) -> list[int]:
    """Child processes of ``pid``, recursively (from /proc/<pid>/task/*/children)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found.append(child)
                stack.append(child)
    return found


class TreeMemory:
    """Peak memory of a process tree, sampled from /proc while it runs.

    ``main_hwm``: the peak RSS (VmHWM) of the process itself; ``child_hwm``: the
    largest peak of any descendant (e.g. a segmentation worker); ``tree_peak``:
    the largest sum of VmRSS over the whole tree seen at one sample.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.main_hwm = 0
        self.child_hwm = 0
        self.tree_peak = 0
        self.main_anon_peak = 0
        self.tree_anon_peak = 0
        self.children_seen: set[int] = set()
        self.cpu: dict[int, float] = {}

    def sample(self) -> None:
        """Record the memory of the process tree now."""
        for pid in (self.pid, *self.children_seen):
            used = proc_cpu(pid)
            if used is not None:
                self.cpu[pid] = used
        main = proc_status(self.pid)
        self.main_hwm = max(self.main_hwm, main.get("VmHWM", 0))
        self.main_anon_peak = max(self.main_anon_peak, main.get("RssAnon", 0))
        total = main.get("VmRSS", 0)
        anon = main.get("RssAnon", 0)
        for child in descendants(self.pid):
            status = proc_status(child)
            self.children_seen.add(child)
            self.child_hwm = max(self.child_hwm, status.get("VmHWM", 0))
            total += status.get("VmRSS", 0)
            anon += status.get("RssAnon", 0)
        self.tree_peak = max(self.tree_peak, total)
        self.tree_anon_peak = max(self.tree_anon_peak, anon)

    def as_dict(self) -> dict[str, float]:
        """The peaks recorded, in MiB."""
        return {
            "main_peak_rss_mib": mib(self.main_hwm),
            "worker_peak_rss_mib": mib(self.child_hwm),
            "tree_peak_rss_mib": mib(self.tree_peak),
            # Anonymous memory only (sampled): RSS also counts file pages tantivy maps while merging.
            "main_peak_anon_mib": mib(self.main_anon_peak),
            "tree_peak_anon_mib": mib(self.tree_anon_peak),
            "processes_seen": 1 + len(self.children_seen),
            # CPU seconds seen at the last sample (up to one sampling interval short).
            "main_cpu_s": round(self.cpu.get(self.pid, 0.0), 2),
            "children_cpu_s": round(sum(v for k, v in self.cpu.items() if k != self.pid), 2),
        }


def run_measured(
    cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path = REPO, interval: float = 0.2
) -> dict[str, Any]:
    """Run a command to completion, sampling its tree's memory; wall seconds, exit code, stderr tail."""
    load_before = loadavg()
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    import threading

    chunks: dict[str, str] = {}

    def drain(name: str, stream: Any) -> None:
        """Read a pipe to the end, keeping its tail."""
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=("stdout", proc.stdout), daemon=True),
        threading.Thread(target=drain, args=("stderr", proc.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    while proc.poll() is None:
        memory.sample()
        time.sleep(interval)
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "returncode": proc.returncode,
        "stdout": chunks.get("stdout", ""),
        "stderr_tail": "\n".join(chunks.get("stderr", "").strip().splitlines()[-12:]),
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        **memory.as_dict(),
    }


def mib(n_bytes: float) -> float:
    """Bytes as MiB, one decimal."""
    return round(n_bytes / 2**20, 1)


def mb(n_bytes: float) -> float:
    """Decimal megabytes (throughput figures are MB/s = 10^6 bytes/s)."""
    return round(n_bytes / 1e6, 2)


def dir_bytes(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON Lines file, one by one."""
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def log(message: str) -> None:
    """A timestamped progress line on stderr."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)
