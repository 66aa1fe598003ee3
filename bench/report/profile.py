"""The profile blocks of What dominates: ingest and search profiles, the ranking trace."""

from __future__ import annotations

from bench.common import load_result
from bench.report.tables import SIZES, table, target_sizes


def _stage_rows(stages: dict[str, dict[str, float]], prefix: str = "") -> list[list[str]]:
    """One table row per profiled stage, the longest first: name, seconds, share."""
    return [
        [f"{prefix}{k}", f"{v['s']} s", f"{v['share'] * 100:.1f}%"]
        for k, v in sorted(stages.items(), key=lambda kv: -kv[1]["s"])
    ]


def section_profile() -> str:
    """The ingest profile, the search profile and the ranking trace, per size measured."""
    parts = []
    for s in SIZES:
        prof = load_result("ingest-profile", s)
        if not prof:
            continue
        rows = _stage_rows(prof["stages"]) + _stage_rows(prof["details"], "↳ ")
        parts.append(
            f"pyinstrument over an in-process `--workers 1` ingest of the {s} archive "
            f"({prof['files']} files; {prof['profiled_s']} s sampled wall time, dictionaries loaded beforehand; "
            f"full tree in `bench/results/{s}-ingest-profile.txt`):\n\n" + table(["stage", "time", "share"], rows)
        )
    for s in target_sizes("search-profile"):
        prof = load_result("search-profile", s)
        if not prof:
            continue
        rows = _stage_rows(prof["stages"])
        parts.append(
            f"pyinstrument over {prof['searches']} in-process searches of the query set at {s} "
            f"({prof['per_search_ms']} ms a search under the profiler; tree in `bench/results/{s}-search-profile.txt`). "
            "The first rows are stages of `EmbeddedEngine.search`; the tantivy rows are calls counted wherever they happen "
            "and overlap the stages:\n\n" + table(["part of a search", "time", "share"], rows)
        )
    for s in target_sizes("search-trace"):
        trace = load_result("search-trace", s)
        if not trace:
            continue
        rows = [
            [
                f"`{r['query']}`",
                r["hits"],
                f"{r['search_ms']} ms",
                " → ".join(map(str, r["ranking_windows"])),
                f"{r['ranking_ms']} ms",
                " + ".join(f"{ms} ms" for ms in r.get("facet_aggregations_ms", ())),
            ]
            for r in trace["rows"]
        ]
        parts.append(
            f"Where a search goes at {s} (`python -m bench trace-ranking --size {s}`): each scored tantivy search "
            "(a ranking window, reported to `on_timing` as `ranking_window`) runs to fill a first page of 20 distinct duplicate groups (its `limit`, i.e. how many "
            "top hits it fetched) and their time, and the facet aggregations, which run at the same time on helper "
            "threads:\n\n"
            + table(
                ["query", "hits", "search", "scored searches (limit)", "all scored searches", "facet aggregations"],
                rows,
            )
        )
    return "\n\n".join(parts) or "(no profile yet: `python -m bench profile --size 10k`)"
