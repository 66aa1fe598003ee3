"""The Cold start section: process start to first answer, worker memory."""

from __future__ import annotations

from bench.common import load_result
from bench.report.tables import fmt, sizes_with, table


def section_coldstart() -> str:
    """Per size: process start to first answer, import and first-search times, memory."""
    rows = []
    for s in sizes_with("coldstart"):
        c = load_result("coldstart", s)
        assert c is not None
        m = c["median"]
        workers = c.get("gunicorn_workers_after_first_answer") or []
        rows.append(
            [
                s,
                f"{m['process_start_to_first_answer_s']} s",
                f"{m['imports_s']} s",
                f"{m['first_search_s (loads jieba)']} s",
                f"{m['second_search_s'] * 1000:.0f} ms",
                f"{m['rss_mib']} MiB",
                fmt(c.get("gunicorn_start_to_first_answer_s"), " s"),
                ", ".join(f"{w['rss_mib']}" for w in workers)
                + " MiB"
                + (
                    f" (anonymous {max(w['anon_mib'] for w in workers)} MiB at most)"
                    if workers and "anon_mib" in workers[0]
                    else ""
                )
                if workers
                else "—",
            ]
        )
    return (
        table(
            [
                "size",
                "python start → first answer",
                "imports",
                "first search (opens index, loads the segmenter)",
                "second search",
                "RSS after",
                "gunicorn start → first /api/search",
                "gunicorn processes RSS (master's children)",
            ],
            rows,
        )
        + "\n\nMedians of 3 runs of `python -c` (import engine, open the index, search 送温暖, then 工资集体协商). "
        "rjieba builds its dictionary in memory on first use; with stock jieba (before 3e6d945) the first search at 100k "
        "took 1.64 s, 2.0 s from process start. gunicorn: 5 workers booting on 2 cores; worker RSS includes the pages "
        "of the mmapped index it has touched, shared between workers through the page cache."
    )
