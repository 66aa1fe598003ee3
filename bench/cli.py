"""``python -m bench …``: every figure of bench/RESULTS.md, reproducible.

    python -m bench corpus    --size 100k          # generate /tmp/union-bench/100k/archive
    python -m bench parse     --size 100k          # (a) read+clean+split alone
    python -m bench segment   --size 100k          # (b) bare word_tokens, 1 and 2 processes; stock jieba vs rjieba
    python -m bench ingest    --size 100k          # (c) full ingest, 1 and 2 workers, RSS, index size, incremental
    python -m bench profile   --size 100k --files 1000  # pyinstrument: what dominates a 1-worker ingest
    python -m bench profile-search --size 100k     # pyinstrument: what dominates an in-process search
    python -m bench trace-ranking --size 1m        # ranking windows re-run while collapsing duplicates
    python -m bench search    --size 100k          # in-process, HTTP (gunicorn), 8 clients, substring scan, FTS5
    python -m bench coldstart --size 100k          # process start → first answered search, worker RSS
    python -m bench peer      --size 100k --provision-es  # stock Elasticsearch (cjk) vs ours, alternated (issue 17)
    python -m bench report                         # rebuild the generated sections of bench/RESULTS.md
    python -m bench all       --sizes 10k,100k     # all of the above, then the report (add 1m with --sizes 10k,100k,1m)

Everything outside the repository goes under --root (default /tmp/union-bench).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.common import DEFAULT_ROOT, REPO, log, parse_size, size_label


def _sizes(text: str) -> list[str]:
    return [size_label(parse_size(part)) for part in text.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--root", type=Path, default=DEFAULT_ROOT, help="work folder outside the repo (default %(default)s)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def with_size(name: str, help_text: str, default: str = "100k") -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--size", default=default, help="paragraphs: 10k, 100k, 1m (default %(default)s)")
        return p

    corpus = with_size("corpus", "generate a corpus of real files")
    corpus.add_argument("--seed", type=int, default=None)
    corpus.add_argument("--force", action="store_true", help="regenerate even if present")
    with_size("parse", "read+clean+split+enrich throughput")
    with_size("segment", "bare segmentation throughput (jieba, rjieba)")
    ingest = with_size("ingest", "full ingest throughput, memory, index size, incremental")
    ingest.add_argument("--workers", default="1,2", help="worker counts (default %(default)s)")
    _add_peer_options(ingest)
    profile = with_size("profile", "profile a 1-worker ingest with pyinstrument", default="10k")
    profile.add_argument("--files", type=int, default=None, help="profile only the first N files")
    with_size("trace-ranking", "time the ranking windows a collapsed first page needs")
    psearch = with_size("profile-search", "profile in-process searches with pyinstrument")
    psearch.add_argument("--rounds", type=int, default=3)
    search = with_size("search", "search latency: in-process, HTTP, concurrent, alternatives")
    _add_search_options(search)
    _add_peer_options(search)
    peer = with_size("peer", "stock Elasticsearch (cjk) as a peer: ingest and search alternated with ours")
    _add_peer_options(peer)
    with_size("coldstart", "time to first answered search, worker RSS")
    sub.add_parser("report", help="rewrite the generated sections of bench/RESULTS.md")
    every = sub.add_parser("all", help="corpus, parse, segment, ingest, search, coldstart and report for each size")
    every.add_argument("--sizes", default="10k,100k", help="comma-separated sizes (default %(default)s; add 1m)")
    every.add_argument("--profile-size", default="100k", help="archive the ingest profile reads (default %(default)s)")
    every.add_argument(
        "--profile-files", type=int, default=1000, help="profile the first N files (default %(default)s)"
    )
    return parser


def _add_search_options(search: argparse.ArgumentParser) -> None:
    search.add_argument(
        "--rounds", type=int, default=3, help="passes over the query set in-process (default %(default)s)"
    )
    search.add_argument("--http-requests", type=int, default=300, help="requests for the one-client HTTP run")
    search.add_argument("--concurrent-requests", type=int, default=400, help="requests for the 8-client HTTP run")
    search.add_argument("--skip-http", action="store_true")
    search.add_argument("--skip-alternatives", action="store_true")
    search.add_argument("--agreement-cap", type=int, default=100_000, help="compare id sets only up to this many hits")


def _add_peer_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--peer-es", default=None, metavar="URL", help="compare with stock ES on this node (or $ES_URL)")
    p.add_argument("--provision-es", action="store_true", help="start a throwaway ES 8.12.2 node for the peer")
    p.add_argument("--peer-rounds", type=int, default=5, help="alternated passes over the queries (peer)")
    p.add_argument("--peer-ingest-rounds", type=int, default=2, help="alternated loads of each ES index (peer)")


def _run_peer(args: argparse.Namespace, root: Path, label: str) -> None:
    """The peer comparison after ``search``/``ingest``/``peer``, when a node is given or provisioned."""
    from bench import peer as peer_mod

    with peer_mod.es_node(args.peer_es, args.provision_es) as url:
        if url is None:
            if args.command == "peer":
                raise SystemExit("no Elasticsearch node: pass --peer-es URL, set ES_URL, or --provision-es")
            return
        rounds = 0 if args.command == "ingest" else args.peer_rounds
        peer_mod.run_peer(root, label, url, search_rounds=rounds, ingest_rounds=args.peer_ingest_rounds)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one benchmark command (or ``all``), then rewrite the generated sections of bench/RESULTS.md."""
    args = _parser().parse_args(argv)
    os.chdir(REPO)  # display paths (and so paragraph ids) are computed relative to the working folder
    root: Path = args.root

    from bench import ingest as ingest_mod
    from bench import report as report_mod

    if args.command == "all":
        for label in _sizes(args.sizes):
            run_size(root, label)
        ingest_mod.profile_ingest(root, size_label(parse_size(args.profile_size)), args.profile_files)
    elif args.command != "report":
        _run_one(args, root, size_label(parse_size(args.size)))
    report_mod.write_report(root)
    return 0


def _run_one(args: argparse.Namespace, root: Path, label: str) -> None:
    """One benchmark command at one size."""
    from bench import corpus as corpus_mod
    from bench import ingest as ingest_mod
    from bench import parse as parse_mod
    from bench import search as search_mod
    from bench import search_profile as profile_mod
    from bench import segment as segment_mod

    commands: dict[str, Callable[[], object]] = {
        "corpus": lambda: corpus_mod.generate(
            parse_size(args.size), root, seed=args.seed or corpus_mod.DEFAULT_SEED, force=args.force
        ),
        "parse": lambda: parse_mod.bench_parse(root, label),
        "segment": lambda: segment_mod.bench_segment(root, label),
        "ingest": lambda: ingest_mod.bench_ingest(root, label, [int(w) for w in args.workers.split(",")]),
        "profile": lambda: ingest_mod.profile_ingest(root, label, args.files),
        "trace-ranking": lambda: profile_mod.trace_ranking(root, label),
        "profile-search": lambda: profile_mod.profile_search(root, label, args.rounds),
        "search": lambda: search_mod.bench_search(
            root,
            label,
            rounds=args.rounds,
            http_requests=args.http_requests,
            concurrent_requests=args.concurrent_requests,
            skip_http=args.skip_http,
            skip_alternatives=args.skip_alternatives,
            agreement_cap=args.agreement_cap,
        ),
        "coldstart": lambda: profile_mod.bench_coldstart(root, label),
        "peer": lambda: None,
    }
    commands[args.command]()
    if args.command in ("search", "ingest", "peer"):
        _run_peer(args, root, label)


def run_size(root: Path, label: str) -> None:
    """Every benchmark at one size, in the order each needs the previous one's output."""
    from bench import corpus as corpus_mod
    from bench import ingest as ingest_mod
    from bench import parse as parse_mod
    from bench import search as search_mod
    from bench import search_profile as profile_mod
    from bench import segment as segment_mod

    log(f"=== size {label} ===")
    corpus_mod.generate(parse_size(label), root)
    parse_mod.bench_parse(root, label)
    segment_mod.bench_segment(root, label)
    ingest_mod.bench_ingest(root, label)
    search_mod.bench_search(root, label)
    profile_mod.profile_search(root, label)
    profile_mod.trace_ranking(root, label)
    profile_mod.bench_coldstart(root, label)
