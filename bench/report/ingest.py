"""The Ingest section: throughput per stage, memory, index composition, analysis steps."""

from __future__ import annotations

from typing import Any

from bench.common import load_result
from bench.report.tables import get, segmenter_name, sizes_with, table

_THROUGHPUT_NOTE = (
    "Throughput in MB of paragraph text (UTF-8) — what the segmenter reads — per second. "
    '"per CPU-second" divides by the CPU time the run used (all its processes), which other people\'s load '
    "on this shared machine barely moves; wall figures are as measured under that load. The uncontended "
    "estimate for a run is max(main-process CPU, total CPU ÷ 2 cores): what the same work would take with "
    "both cores to itself (an estimate, not a measurement).\n"
)
_ANALYSIS_STEPS = {
    "fold": "fold (width, case, traditional → simplified)",
    "jieba_cut_default": "{seg} cut, default mode, folded text",
    "jieba_tokenize_search": "{seg} tokenize, search mode, folded text",
    "word_tokens": "word_tokens (fold + search mode + filtering)",
    "char_tokens": "char_tokens (bigrams)",
    "index_fields": "index_fields (words + bigrams + stored fields)",
}


def section_ingest() -> str:
    """Throughput, memory and index size, where the index's bytes go, and the analysis steps."""
    out = [_THROUGHPUT_NOTE]
    out.append(_table_of_throughput())
    out.append(
        "\nMemory (peak RSS from /proc VmHWM, sampled every 0.2 s; tree = all processes at once) and index size:\n"
    )
    out.append(_table_of_memory())
    out += _index_composition()
    seg = load_result("segment", "100k") or load_result("segment", "10k")
    if seg:
        out += _analysis_steps(seg)
        out += _segmenter_comparison(seg)
    return "\n".join(out)


def _table_of_throughput() -> str:
    rows = []
    for s in sizes_with("parse"):
        p = load_result("parse", s)
        assert p is not None
        rows.append(
            [
                s,
                "(a) read+clean+split+enrich, 1 process",
                f"{p['mb_per_s']} MB/s",
                f"{p['mb_per_cpu_s']} MB/s",
                f"{p['paragraphs_per_s']:,}",
                f"{p['wall_s']} s",
            ]
        )
        rows += _segment_rows(s, load_result("segment", s))
        rows += _ingest_rows(s, load_result("ingest", s))
    return table(["size", "stage", "MB/s (wall)", "per CPU-second", "paragraphs/s", "wall"], rows)


def _segment_rows(s: str, seg: dict[str, Any] | None) -> list[list[str]]:
    rows: list[list[str]] = []
    if not seg:
        return rows
    for n in ("1", "2"):
        r = seg[f"word_tokens_{n}proc"]
        per_cpu = r.get("mb_per_cpu_s")
        rows.append(
            [
                s,
                f"(b) bare word_tokens ({segmenter_name(seg)}), {n} process{'es' if n == '2' else ''}",
                f"{r['mb_per_s']} MB/s",
                f"{per_cpu} MB/s" + (f" ({per_cpu * 2:.2f} on 2 cores)" if n == "2" and per_cpu else ""),
                f"{r['paragraphs_per_s']:,}",
                f"{r['wall_s']} s",
            ]
        )
    return rows


def _ingest_rows(s: str, ing: dict[str, Any] | None) -> list[list[str]]:
    rows: list[list[str]] = []
    if not ing:
        return rows
    for w, e in ing["embedded"].items():
        rows.append(
            [
                s,
                f"(c) full ingest, embedded, --workers {w[1:]}",
                f"{e['mb_per_s']} MB/s",
                f"{e.get('mb_per_cpu_s')} MB/s (est. uncontended {e.get('uncontended_estimate_mb_per_s')} MB/s)",
                f"{e['paragraphs_per_s']:,}",
                f"{e['seconds']} s",
            ]
        )
    es = ing.get("elasticsearch") or {}
    if "skipped" in es:
        rows.append([s, "(c) full ingest, Elasticsearch", es["skipped"], "", "", ""])
    elif es:
        rows.append(
            [
                s,
                "(c) full ingest, Elasticsearch",
                f"{es['mb_per_s']} MB/s",
                "",
                f"{es['paragraphs_per_s']:,}",
                f"{es['seconds']} s",
            ]
        )
    return rows


def _table_of_memory() -> str:
    rows = []
    for s in sizes_with("ingest"):
        ing = load_result("ingest", s)
        assert ing is not None
        for w, e in ing["embedded"].items():
            rows.append(
                [
                    s,
                    w[1:],
                    f"{e['main_peak_rss_mib']} MiB",
                    f"{e['worker_peak_rss_mib']} MiB",
                    f"{e['tree_peak_rss_mib']} MiB",
                    f"{e['tree_peak_anon_mib']} MiB" if "tree_peak_anon_mib" in e else "—",
                    f"{e['index_mb']} MB",
                    f"{e['index_to_text']}×",
                    f"{e['index_to_disk']}×",
                ]
            )
        inc = ing.get("incremental_unchanged") or {}
        if inc:
            rows.append(
                [
                    s,
                    "re-ingest, unchanged",
                    f"{inc['main_peak_rss_mib']} MiB",
                    "",
                    "",
                    "",
                    f"{inc['seconds']} s wall",
                    "",
                    "",
                ]
            )
    header = ["size", "workers", "main process", "largest worker", "tree", "index on disk", "÷ paragraph text"]
    return table([*header, "÷ files on disk"], rows)


def _index_composition() -> list[str]:
    out = []
    for s in sizes_with("search"):
        comp = get(load_result("search", s), "index_composition")
        if not comp:
            continue
        parse = load_result("parse", s) or {}
        rows = [
            [
                key,
                part["what"],
                f"{part['bytes'] / 1e6:.1f} MB",
                f"{part['share'] * 100:.0f}%",
                f"{part['bytes'] / parse['text_bytes']:.2f}×" if parse.get("text_bytes") else "—",
            ]
            for key, part in comp["parts"].items()
        ]
        out.append(f"\nWhere the index's bytes go ({s}, the generation searched):\n")
        out.append(table(["files", "holds", "size", "share", "÷ paragraph text"], rows))
    return out


def _analysis_steps(seg: dict[str, Any]) -> list[str]:
    b = seg["breakdown_1proc"]
    name_of = segmenter_name(seg)
    rows = [
        [label.format(seg=name_of), f"{b[name]['mb_per_s']} MB/s", f"{b[name].get('mb_per_cpu_s')} MB/s"]
        for name, label in _ANALYSIS_STEPS.items()
        if name in b
    ]
    return [
        f"\nAnalysis steps on one process ({seg['size']} corpus, first {b['paragraphs']:,} paragraphs, {b['text_mb']} MB; "
        f"best of two runs; the engine's segmenter: {name_of}):\n",
        table(["step", "MB/s (wall)", "per CPU-second"], rows),
    ]


def _segmenter_comparison(seg: dict[str, Any]) -> list[str]:
    cmp = seg.get("segmenters") or {}
    if not (cmp.get("jieba", {}).get("installed") and cmp.get("rjieba", {}).get("installed")):
        return []
    rows = []
    for key, label in (
        ("cut_default_1proc", "cut, default mode"),
        ("tokenize_search_1proc", "tokenize, search mode"),
        ("word_tokens_equivalent_1proc", "drop-in word_tokens (fold + search mode + engine filtering)"),
    ):
        j, r = cmp["jieba"][key], cmp["rjieba"][key]
        rows.append([label, f"{j['mb_per_s']} MB/s", f"{r['mb_per_s']} MB/s", f"{r['mb_per_s'] / j['mb_per_s']:.1f}×"])
    a, c = cmp["agreement_samples"], cmp["agreement_corpus_prefix"]
    examples = sorted({f"jieba {e['jieba_only']} vs rjieba {e['rjieba_only']}" for e in a["examples"] + c["examples"]})
    return [
        "\nStock jieba 0.42.1 vs rjieba (jieba-rs), same user dictionary, one process, same texts:\n",
        table(["step", "jieba", "rjieba", "speed-up"], rows),
        f"\nIdentical drop-in `word_tokens` for {a['identical_paragraphs']}/{a['paragraphs']} sample paragraphs and "
        f"{c['identical_paragraphs']:,}/{c['paragraphs']:,} corpus paragraphs; differences seen: {'; '.join(examples[:3])}.",
    ]
