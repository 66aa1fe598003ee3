"""The indexer's command line: parse, ingest, search."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tqdm import tqdm

from engine import facets as registry
from engine.request import URL_DEFAULTS
from indexer.model import to_json_line
from indexer.pipeline import discover, parse_file
from indexer.reading import UnreadableFile
from indexer.report import RunReport


def _progress(total: int, unit: str = "file") -> tqdm:
    # On standard error so that JSONL on standard output stays clean; hidden when not a terminal.
    return tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True, disable=None, leave=False)


def run_parse(paths: Sequence[str], output: str | None) -> int:
    """Parse files to JSONL (articles and paragraphs) and print a report on standard error."""
    report = RunReport()
    files = list(discover(paths))
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        with _progress(len(files)) as bar:
            for path, root in files:
                bar.set_postfix_str(path.name[-30:], refresh=False)
                try:
                    parsed = parse_file(path, root)
                except UnreadableFile as exc:
                    report.skipped.append((str(path), exc.reason))
                else:
                    report.files_read += 1
                    report.bytes_read += parsed.source.size
                    report.add_articles(parsed.articles)
                    report.paragraphs += len(parsed.paragraphs)
                    for record in [*parsed.articles, *parsed.paragraphs]:
                        out.write(to_json_line(record) + "\n")
                bar.update()
    finally:
        if output:
            out.close()
    print(report.render(), file=sys.stderr)
    return 0 if report.files_read or not files else 1


def _filter_help(facet: registry.Facet) -> str:
    """The --help line of one facet flag: its label and, for a closed vocabulary, the values."""
    if facet.kind == "year":
        return f"按{facet.label}筛选：如 2023 或区间 2010-2015（可重复）"
    values = f"：{' / '.join(facet.values)}" if facet.closed else ""
    return f"按{facet.label}筛选{values}（可重复，同一项内为“或”）"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m indexer``."""
    parser = argparse.ArgumentParser(prog="python -m indexer", description="工会总结检索：解析、入库与检索")
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser("parse", help="解析文件为 JSONL（文章与段落）")
    parse.add_argument("paths", nargs="+", help="文件或文件夹（递归）")
    parse.add_argument("-o", "--output", help="写入此文件（默认标准输出）")

    ingest = commands.add_parser("ingest", help="解析并写入检索引擎（增量）")
    ingest.add_argument("paths", nargs="+", help="文件或文件夹（递归）")
    ingest.add_argument(
        "--index", default=None, help="内嵌索引目录（默认 ./data/index；设置 ES_URL 时使用 Elasticsearch）"
    )
    ingest.add_argument("--prune", action="store_true", help="删除已不存在的文件的段落")
    ingest.add_argument("--rebuild", action="store_true", help="重建全新索引，完成后原子切换")
    ingest.add_argument("--force", action="store_true", help="未变化的文件也重新读取（修改 metadata.csv 之后）")
    ingest.add_argument("--workers", type=int, default=None, help="分词进程数（默认 CPU 核数）")

    search = commands.add_parser("search", help="命令行检索")
    search.add_argument("query", nargs="?", default="", help='检索词：空格=并且，"短语"，-排除，A OR B')
    search.add_argument("--index", default=None, help="内嵌索引目录（默认 ./data/index）")
    for facet in registry.all_facets():
        search.add_argument(
            facet.flag, dest=facet.name, action="append", default=[], metavar="值", help=_filter_help(facet)
        )
    search.add_argument(
        "--sort", choices=("relevance", "year"), default=URL_DEFAULTS["sort"], help="排序：相关度或年份"
    )
    search.add_argument("--page", type=int, default=int(URL_DEFAULTS["page"]), help="页码")
    # Ten hits fill a terminal; the portal's page holds more.
    search.add_argument("--size", type=int, default=10, help="每页条数（默认 10）")
    search.add_argument(
        "--literal", action="store_true", help="只按字面检索：不加同义词、简称和改写（同门户的 literal=1）"
    )
    search.add_argument("--json", action="store_true", help="输出与门户 /api/search 相同的 JSON")
    return parser


def _query_words_as_positionals(argv: list[str]) -> list[str]:
    """``search -送温暖`` means "exclude 送温暖", not an option: move such words after ``--``.

    A word of the query that starts with ``-`` (an exclusion in the query
    syntax) would otherwise be read by argparse as an unknown option. Only
    words that are not one of the command's own options are moved.
    """
    if not argv or argv[0] != "search" or "--" in argv:
        return argv
    options = {flag for action in _search_actions() for flag in action.option_strings}
    takes_value = {flag for action in _search_actions() if action.nargs != 0 for flag in action.option_strings}
    kept: list[str] = []
    query: list[str] = []
    words = iter(argv[1:])
    for word in words:
        name = word.split("=", 1)[0]
        if word.startswith("-") and name not in options and len(word) > 1 and not word[1:].isdigit():
            query.append(word)
            continue
        kept.append(word)
        if name in takes_value and "=" not in word:
            kept.append(next(words, ""))
    if not query:
        return argv
    positional = [w for w in kept if not w.startswith("-")]
    # Values of options stay with their options; the remaining positional (if any) joins the query.
    rest = [w for w in kept if w not in positional or _is_option_value(kept, w, takes_value)]
    spoken = [w for w in positional if not _is_option_value(kept, w, takes_value)]
    return ["search", *rest, "--", " ".join([*spoken, *query])]


def _is_option_value(words: list[str], word: str, takes_value: set[str]) -> bool:
    index = words.index(word)
    return index > 0 and words[index - 1] in takes_value


def _search_actions() -> list[argparse.Action]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(subparsers.choices["search"]._actions)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    raw = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(_query_words_as_positionals(raw))
    if args.command == "parse":
        return run_parse(args.paths, args.output)
    if args.command == "ingest":
        from indexer.ingest import run_ingest

        return run_ingest(
            args.paths,
            index_dir=args.index,
            prune=args.prune,
            rebuild=args.rebuild,
            workers=args.workers,
            force=args.force,
        )
    from indexer.search_cli import run_search

    return run_search(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
