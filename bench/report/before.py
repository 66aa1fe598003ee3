"""The Before section: the benchmarks before the switch to jieba-rs."""

from __future__ import annotations

from bench.common import load_result
from bench.report.tables import SIZES, get, table


def section_before() -> str:
    """The same benchmarks before the switch to jieba-rs (results kept as <size>-<kind>-jieba.json)."""
    rows = []
    for s in SIZES[1:]:  # 10k was measured under the heaviest load and says nothing the 100k rows do not
        seg, ing, srch = (load_result(k, s) for k in ("segment-jieba", "ingest-jieba", "search-jieba"))
        if seg:
            for n in ("1", "2"):
                r = seg[f"word_tokens_{n}proc"]
                rows.append(
                    [
                        s,
                        f"bare word_tokens (stock jieba), {n} process{'es' if n == '2' else ''}",
                        f"{r['mb_per_s']} MB/s",
                        f"{r.get('mb_per_cpu_s')} MB/s",
                        seg["commit"],
                    ]
                )
            b = seg.get("breakdown_1proc") or {}
            if "index_fields" in b:
                rows.append(
                    [
                        s,
                        "index_fields (jieba words + bigrams), 1 process",
                        f"{b['index_fields']['mb_per_s']} MB/s",
                        f"{b['index_fields'].get('mb_per_cpu_s')} MB/s",
                        seg["commit"],
                    ]
                )
        if ing:
            for w, e in ing["embedded"].items():
                rows.append(
                    [
                        s,
                        f"full ingest, --workers {w[1:]} (parse in the main process)",
                        f"{e['mb_per_s']} MB/s",
                        f"{e.get('mb_per_cpu_s')} MB/s (est. uncontended {e.get('uncontended_estimate_mb_per_s', '—')} MB/s; "
                        f"main process {e.get('main_cpu_s', '—')} CPU-s, workers {e.get('children_cpu_s', '—')} CPU-s)",
                        ing["commit"],
                    ]
                )
        if srch:
            ip = srch["in_process"]
            rows.append([s, "search in-process p50 / p95", f"{ip['p50_ms']} / {ip['p95_ms']} ms", "", srch["commit"]])
            one = get(srch, "http", "one_client")
            if one:
                rows.append(
                    [s, "HTTP one client p50 / p95", f"{one['p50_ms']} / {one['p95_ms']} ms", "", srch["commit"]]
                )
    if not rows:
        return "(none)"
    return table(["size", "what", "wall", "per CPU-second", "commit"], rows)
