"""The Corpus section: formats, facet cardinality, headings and near-duplicates per size."""

from __future__ import annotations

from bench.common import load_result
from bench.report.tables import SIZES, sizes_with, table


def section_corpus() -> str:
    """Per size: formats, distinct facet values, headings, near-duplicates, paragraphs without a township."""
    rows = []
    for s in SIZES:
        parse = load_result("parse", s)
        if not parse:
            continue
        f = parse["facet_cardinality"]
        formats = ", ".join(f"{k} {v['files']}" for k, v in parse["by_format"].items())
        rows.append(
            [
                s,
                formats,
                f"{f['township']} / {f['year']} / {f['period']} / {f['org_level']} / {f['org_name']}",
                f"{parse['headings']:,} ({parse['headings'] / parse['paragraphs'] * 100:.0f}%)",
                f"{parse['body_paragraphs_in_duplicate_groups'] / parse['body_paragraphs'] * 100:.0f}% in "
                f"{parse['body_duplicate_groups']:,} groups",
                f"{f['paragraphs_without_township'] / parse['paragraphs'] * 100:.1f}%",
            ]
        )
    return (
        table(
            [
                "size",
                "files by format (txt:encoding as detected)",
                "distinct township / year / period / org_level / org_name",
                "headings",
                "body paragraphs with a near-duplicate",
                "no township",
            ],
            rows,
        )
        + "\n\nEvery file was read back by the pipeline (skipped files: "
        + ", ".join(f"{s}: {load_result('parse', s)['files_skipped']}" for s in sizes_with("parse"))
        + ")."
    )
