"""Memory of the gunicorn workers during a load test, from /proc: shared index pages vs private heap."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from pathlib import Path
from typing import Any

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
    there, although any other worker may map it for free). ``heap_private`` is Private_Dirty: the anonymous pages this
    process alone holds (RssAnon also counts the pages a worker still shares copy-on-write with the master that
    preloaded them); ``heap_shared`` is the rest of RssAnon.
    """
    kb = parse_kb_fields(status, STATUS_FIELDS)
    roll = parse_kb_fields(rollup, ROLLUP_FIELDS)
    index = parse_smaps_under(smaps, index_dir) if smaps else {"Rss": 0, "Shared": 0, "Private": 0}

    def mib(value: int | None) -> float:
        """kB as MiB, one decimal."""
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
        "heap_private": mib(roll.get("Private_Dirty")),
        "heap_shared": mib(max((kb.get("RssAnon") or 0) - roll.get("Private_Dirty", 0), 0)),
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


def sample_workers(master: int, index_dir: str) -> dict[str, dict[str, float]]:
    """pid → memory (MiB, see memory_of) of every worker now."""
    return {str(pid): mem for pid in children(master) if (mem := worker_memory(pid, index_dir)) is not None}


def sampler(master: int, index_dir: str, every: float, started: float, stop_at: threading.Event, out: list) -> None:
    """Every ``every`` seconds until ``stop_at``: the workers' memory, as {"t": seconds since start, "workers"}."""
    while not stop_at.wait(every):
        out.append({"t": round(time.monotonic() - started, 1), "workers": sample_workers(master, index_dir)})


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
