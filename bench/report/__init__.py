"""Write the generated sections of bench/RESULTS.md from bench/results/*.json.

Generated blocks sit between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``
markers and are replaced on every run; everything outside them (the reading
of the figures, "What dominates") is written by people and left alone. A
missing RESULTS.md is created from a skeleton.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from bench.report.agreement import section_agreement
from bench.report.before import section_before
from bench.report.coldstart import section_coldstart
from bench.report.corpus import section_corpus
from bench.report.fixes import section_fixes
from bench.report.ingest import section_ingest
from bench.report.peer import section_peer
from bench.report.profile import section_profile
from bench.report.search import section_search
from bench.report.setup import section_setup
from bench.report.targets import section_targets

RESULTS_MD = Path(__file__).resolve().parent.parent / "RESULTS.md"

SKELETON = """# Benchmarks · 工会总结检索

Reproduce every figure with `python -m bench all --sizes 10k,100k` (add `1m` for the million-paragraph
archive), or one step at a time: `python -m bench corpus|parse|segment|ingest|profile|search|coldstart --size 100k`,
then `python -m bench report` rewrites the generated tables below from `bench/results/*.json`.
Text between `<!-- bench:… -->` markers is generated; the rest is written by hand.

<!-- bench:setup -->
<!-- /bench:setup -->

## Targets

<!-- bench:targets -->
<!-- /bench:targets -->

## Reading the figures

(written by hand)

## What dominates

(written by hand)

<!-- bench:profile -->
<!-- /bench:profile -->

## Corpus

<!-- bench:corpus -->
<!-- /bench:corpus -->

## Ingest

<!-- bench:ingest -->
<!-- /bench:ingest -->

## Search

<!-- bench:search -->
<!-- /bench:search -->

## Stock Elasticsearch as a peer

<!-- bench:peer -->
<!-- /bench:peer -->

## Agreement: engine vs substring scan vs FTS5

<!-- bench:agreement -->
<!-- /bench:agreement -->

## Cold start

<!-- bench:coldstart -->
<!-- /bench:coldstart -->

## Before: stock jieba, parsing in the main process

<!-- bench:before -->
<!-- /bench:before -->
"""


SECTIONS: dict[str, Callable[[], str]] = {
    "setup": section_setup,
    "targets": section_targets,
    "profile": section_profile,
    "corpus": section_corpus,
    "ingest": section_ingest,
    "search": section_search,
    "peer": section_peer,
    "agreement": section_agreement,
    "coldstart": section_coldstart,
    "before": section_before,
    "fixes": section_fixes,
}


def write_report(_root: Path | None = None) -> Path:
    """Rewrite every generated section of RESULTS.md (created from the skeleton when missing)."""
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else SKELETON
    for name, build in SECTIONS.items():
        try:
            body = build()
        except Exception as exc:  # a half-run benchmark must not stop the others being reported
            body = f"(could not render: {type(exc).__name__}: {exc})"
        pattern = re.compile(rf"(<!-- bench:{name} -->\n).*?(<!-- /bench:{name} -->)", re.DOTALL)
        if pattern.search(text):
            text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
        else:
            text += f"\n<!-- bench:{name} -->\n{body}\n<!-- /bench:{name} -->\n"
    RESULTS_MD.write_text(text, encoding="utf-8")
    return RESULTS_MD
