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
import random
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

from bench.load_memory import private_flatness, sample_workers, sampler, worker_memory
from bench.load_report import git_commit, machine, percentile, render, write_section

REPO = Path(__file__).resolve().parent.parent
RESULTS_JSON = REPO / "bench" / "results" / "load.json"
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
MAX_DURATION_S = 600
GUNICORN_CONFIG = "deploy/gunicorn.conf.py"
REQUEST_TIMEOUT_S = 30

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


def start_gunicorn(
    port: int, index: Path, workers: int | None, log_path: Path, config: str = GUNICORN_CONFIG
) -> subprocess.Popen[bytes]:
    """gunicorn with the deployment config (or ``config``, e.g. an older one to compare), on loopback, over ``index``."""
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "INDEX_DIR": str(index), "LOG_LEVEL": "warning"}
    env.pop("ES_URL", None)  # the load test measures the embedded engine
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [GUNICORN, "--config", config, "--access-logfile", "/dev/null"],
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
    clients: int,
    duration: float,
    index: Path | None,
    workers: int | None,
    sample_every: float | None = None,
    gunicorn_config: str = GUNICORN_CONFIG,
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
        server = start_gunicorn(port, index, workers, Path(tmp) / "gunicorn.log", gunicorn_config)
        load = _Load(port, server.pid, str(index), every)
        try:
            wait_ready(port, server)
            load.run(clients, duration)
        finally:
            load.stop_sampling.set()
            stop(server)
        config = {
            "clients": clients,
            "duration": duration,
            "workers": len(load.points["end"]) or workers or 0,
            "paragraphs": paragraphs,
            "source": source,
            "index_mib": index_mib,
            "loadavg_at_start": loadavg_at_start,
            "gunicorn_config": gunicorn_config,
        }
        memory = {"every_s": every, "points": load.points, "timeline": load.timeline, "master": load.master_points}
        return summarise(load.logs, load.seconds, memory, config)


class _Load:
    """One load run against a ready server: the clients, and the workers' memory sampled as they go."""

    def __init__(self, port: int, master: int, index: str, every: float) -> None:
        self.port, self.master, self.index, self.every = port, master, index, every
        self.points: dict[str, dict[str, dict[str, float]]] = {}
        # The master counts too: with a preloading config it holds the pages the workers share copy-on-write.
        self.master_points: dict[str, dict[str, float] | None] = {}
        self.timeline: list[dict[str, Any]] = []
        self.logs: list[ClientLog] = []
        self.seconds = 0.0
        self.stop_sampling = threading.Event()

    def run(self, clients: int, duration: float) -> None:
        """Warm every worker up, then ``clients`` threads for ``duration`` seconds, memory at start, middle, end."""
        mix = request_mix(*discover_targets(self.port))
        for _ in range(2):  # warm-up: every worker has jieba and its readers loaded
            for _, path, _ in mix:
                _get(self.port, path)
        started = time.monotonic()
        self.points["start"] = sample_workers(self.master, self.index)
        self.master_points["start"] = worker_memory(self.master, self.index)
        self.timeline.append({"t": 0.0, "workers": self.points["start"]})
        self.logs = [ClientLog() for _ in range(clients)]
        deadline = started + duration
        threads = [
            threading.Thread(target=client, args=(self.port, mix, deadline, 1000 + i, self.logs[i]), daemon=True)
            for i in range(clients)
        ]
        watcher = threading.Thread(
            target=sampler,
            args=(self.master, self.index, self.every, started, self.stop_sampling, self.timeline),
            daemon=True,
        )
        for thread in threads:
            thread.start()
        watcher.start()
        time.sleep(duration / 2)
        self.points["middle"] = sample_workers(self.master, self.index)
        self.master_points["middle"] = worker_memory(self.master, self.index)
        for thread in threads:
            thread.join(timeout=duration + REQUEST_TIMEOUT_S + 5)
        self.seconds = time.monotonic() - started
        self.stop_sampling.set()
        watcher.join(timeout=30)
        self.points["end"] = sample_workers(self.master, self.index)
        self.master_points["end"] = worker_memory(self.master, self.index)
        self.timeline.append({"t": round(time.monotonic() - started, 1), "workers": self.points["end"]})


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
    parser.add_argument(
        "--config", default=GUNICORN_CONFIG, help=f"gunicorn config file (default {GUNICORN_CONFIG}), e.g. an older one"
    )
    parser.add_argument("--label", default=None, help="e.g. 100k: write to the <!-- load:100k --> block")
    parser.add_argument(
        "--json", type=Path, default=None, help=f"where to put the JSON (with --write, default {RESULTS_JSON})"
    )
    parser.add_argument("--write", action="store_true", help="update the Load section of bench/RESULTS.md")
    args = parser.parse_args(argv)
    result = run(args.clients, args.duration, args.index, args.workers, args.sample_every, args.config)
    command = ["python -m bench.load", "--write"]
    if args.index:
        command += ["--index", str(args.index)]
    if args.label:
        command += ["--label", args.label]
    if args.duration != 60.0:
        command += ["--duration", f"{args.duration:g}"]
    if args.clients != 16:
        command += ["--clients", str(args.clients)]
    if args.config != GUNICORN_CONFIG:
        command += ["--config", args.config]
    result["config"]["command"] = " ".join(command)
    markdown = render(result, args.label)
    print(markdown)
    if args.write or args.json:
        target = args.json or RESULTS_JSON
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.write:
        write_section(markdown, label=args.label)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
