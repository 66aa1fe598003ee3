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
4. samples the resident memory (VmRSS, /proc) of every gunicorn worker at the
   start, the middle and the end, to see that it stays flat;
5. stops gunicorn (SIGTERM to the master it started, SIGKILL after 30 s) and
   prints the figures; ``--write`` puts them in the "Load" section of
   bench/RESULTS.md (only that section is touched).

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
import statistics
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


def rss_mib(pid: int) -> float | None:
    """Resident memory of one process in MiB (None once it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def sample_workers(master: int) -> dict[str, float]:
    """pid → RSS (MiB) of every worker now."""
    return {str(pid): rss for pid in children(master) if (rss := rss_mib(pid)) is not None}


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


def summarise(
    logs: list[ClientLog], seconds: float, rss: dict[str, dict[str, float]], config: dict[str, Any]
) -> dict[str, Any]:
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
        "rss_mib": rss,
    }


def _rss_line(snapshot: dict[str, float]) -> str:
    if not snapshot:
        return "—"
    values = list(snapshot.values())
    return f"{len(values)} workers, {min(values):.0f}–{max(values):.0f} MiB each, {sum(values):.0f} MiB together"


def _same_pid_growth(rss: dict[str, dict[str, float]]) -> str:
    start, end = rss.get("start", {}), rss.get("end", {})
    common = sorted(set(start) & set(end))
    if not common:
        return "no worker lived through the whole run (recycled by max_requests)"
    growth = [end[p] - start[p] for p in common]
    return (
        f"{len(common)} workers alive at start and end: RSS change {min(growth):+.1f} to {max(growth):+.1f} MiB "
        f"(median {statistics.median(growth):+.1f})"
    )


def render(result: dict[str, Any]) -> str:
    """The Markdown of the "Load" section."""
    m, c, rss = result["machine"], result["config"], result["rss_mib"]
    lines = [
        f"{SECTION_START}",
        f"`python -m bench.load --write` — {c['clients']} concurrent clients for {c['duration']} s against gunicorn "
        f"(`deploy/gunicorn.conf.py`, {c['workers']} sync workers, 127.0.0.1 only) over an embedded index of "
        f"`samples/` ({c['paragraphs']} paragraphs); a mixed request set: HTML search pages, the JSON API "
        "(phrases, OR, exclusions, filters, year sort, page 2), facets, article and copies pages, overview, healthz. "
        "One new connection per request (gunicorn's sync workers close after each answer).",
        "",
        f"- **Machine**: {m.get('cores')} cores ({m.get('cpu', '?')}), {m.get('memory_gib', '?')} GiB, "
        f"{m.get('platform')}, Python {m.get('python')}; the clients run on the same cores as the server. "
        f"Load average at the end: {', '.join(str(x) for x in result['loadavg_at_end'])}.",
        f"- **Date**: {result['recorded'][:10]} · **commit**: {result['commit']}",
        "",
        "| requests | req/s | p50 | p95 | p99 | max | errors |",
        "|---|---|---|---|---|---|---|",
        f"| {result['requests']:,} | {result['rps']} | {result['p50_ms']} ms | {result['p95_ms']} ms | "
        f"{result['p99_ms']} ms | {result['max_ms']} ms | **{result['errors']}** |",
        "",
        "| worker memory (VmRSS) | |",
        "|---|---|",
        f"| start (after warm-up) | {_rss_line(rss.get('start', {}))} |",
        f"| middle | {_rss_line(rss.get('middle', {}))} |",
        f"| end | {_rss_line(rss.get('end', {}))} |",
        f"| same worker, start → end | {_same_pid_growth(rss)} |",
        "",
        "| request kind | n | p50 | p95 |",
        "|---|---|---|---|",
        *(f"| {k} | {v['n']:,} | {v['p50_ms']} ms | {v['p95_ms']} ms |" for k, v in result["by_kind"].items()),
    ]
    if result["error_kinds"]:
        lines += ["", "Errors: " + "; ".join(f"{k} ×{n}" for k, n in result["error_kinds"].items())]
    lines.append(SECTION_END)
    return "\n".join(lines)


def write_section(markdown: str, path: Path = RESULTS_MD) -> None:
    """Replace the "Load" section of RESULTS.md (between its markers), or append it; nothing else changes."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = re.compile(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END), re.DOTALL)
    if block.search(text):
        text = block.sub(lambda _: markdown, text)
    else:
        text = text.rstrip("\n") + "\n\n## Load\n\n" + markdown + "\n"
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- main


def build_index(target: Path) -> int:
    """Ingest samples/ into ``target`` with the real command; returns the paragraph count."""
    subprocess.run(
        [PYTHON, "-m", "indexer", "ingest", "samples", "--index", str(target), "--workers", "1"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(REPO))
    from engine.embedded import EmbeddedEngine

    engine = EmbeddedEngine(target)
    try:
        return int(engine.stats()["documents"])
    finally:
        engine.close()


def run(clients: int, duration: float, index: Path | None, workers: int | None) -> dict[str, Any]:
    """Build or use an index, serve it with gunicorn, load it, measure, stop."""
    duration = min(duration, MAX_DURATION_S)
    with tempfile.TemporaryDirectory(prefix="union-load-") as tmp:
        index = index or Path(tmp) / "index"
        paragraphs = build_index(index) if not (index / "CURRENT").exists() else -1
        port = free_port()
        server = start_gunicorn(port, index, workers, Path(tmp) / "gunicorn.log")
        try:
            wait_ready(port, server)
            mix = request_mix(*discover_targets(port))
            for _, path, _ in mix:  # warm-up: every worker has jieba and its readers loaded
                _get(port, path)
            rss: dict[str, dict[str, float]] = {"start": sample_workers(server.pid)}
            logs = [ClientLog() for _ in range(clients)]
            started = time.monotonic()
            deadline = started + duration
            threads = [
                threading.Thread(target=client, args=(port, mix, deadline, 1000 + i, logs[i]), daemon=True)
                for i in range(clients)
            ]
            for thread in threads:
                thread.start()
            time.sleep(duration / 2)
            rss["middle"] = sample_workers(server.pid)
            for thread in threads:
                thread.join(timeout=duration + REQUEST_TIMEOUT_S + 5)
            seconds = time.monotonic() - started
            rss["end"] = sample_workers(server.pid)
            count = len(sample_workers(server.pid)) or workers or 0
        finally:
            stop(server)
        config = {"clients": clients, "duration": duration, "workers": count, "paragraphs": paragraphs}
        return summarise(logs, seconds, rss, config)


def main(argv: list[str] | None = None) -> int:
    """Command line: run, print, optionally write RESULTS.md and bench/results/load.json."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help=f"seconds (at most {MAX_DURATION_S})")
    parser.add_argument("--index", type=Path, default=None, help="an existing embedded index (default: samples/)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the config's)")
    parser.add_argument("--write", action="store_true", help="update the Load section of bench/RESULTS.md")
    args = parser.parse_args(argv)
    result = run(args.clients, args.duration, args.index, args.workers)
    markdown = render(result)
    print(markdown)
    if args.write:
        RESULTS_JSON.parent.mkdir(exist_ok=True)
        RESULTS_JSON.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        write_section(markdown)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
