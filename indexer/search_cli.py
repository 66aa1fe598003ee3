"""``python -m indexer search``: ask the configured engine from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from engine import facets as registry
from engine import open_engine
from engine.contract import FACETS, EngineUnavailable, Hit, IncompatibleIndex, SearchResult
from engine.highlight import strip_marks
from engine.request import InvalidParameter, build_request
from indexer.report import engine_failure


def _params(args: argparse.Namespace) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {facet: list(getattr(args, facet, []) or []) for facet in FACETS}
    params.update(q=[args.query], sort=[args.sort], page=[str(args.page)], size=[str(args.size)])
    params["literal"] = ["1" if getattr(args, "literal", False) else "0"]
    return params


#: Hit properties named on a result line, in this order (unknown values left out).
_SHOWN = ("org_name", "township", "period", "year", "org_type", "doc_type")


def _place(hit: Hit) -> list[str]:
    """The known facet values of a hit worth a glance: unit, township, period, year, genre."""
    parts: list[str] = []
    for name in _SHOWN:
        value = getattr(hit, name)
        if not registry.facet(name).is_unknown(value) and str(value) not in parts:
            parts.append(str(value))
    return parts


def render_text(result: SearchResult) -> str:
    """A plain-text rendering of a result page for the terminal."""
    lines = [f"共 {result.total} 段（{result.took_ms:.0f} 毫秒）"]
    for number, hit in enumerate(result.hits, (result.page - 1) * result.page_size + 1):
        where = " · ".join(_place(hit))
        lines.append(f"\n{number}. 《{hit.title}》 {where}")
        if hit.section_path:
            lines.append("   " + " › ".join(hit.section_path))
        text = strip_marks(hit.fragment).replace("\n", " ")
        lines.append(f"   {text}")
        if hit.duplicate_count:
            lines.append(f"   （另有 {hit.duplicate_count} 处相同段落）")
    return "\n".join(lines)


def run_search(args: argparse.Namespace) -> int:
    """Run one search and print it as text or JSON; returns the exit code."""
    try:
        request = build_request(_params(args))
        engine = open_engine(args.index)
    except InvalidParameter as exc:
        print(f"参数错误：{exc}", file=sys.stderr)
        return 2
    except (IncompatibleIndex, EngineUnavailable) as exc:
        print(engine_failure(exc), file=sys.stderr)
        return 2
    try:
        result = engine.search(request)
    except (IncompatibleIndex, EngineUnavailable) as exc:
        print(engine_failure(exc), file=sys.stderr)
        return 2
    finally:
        engine.close()
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_text(result))
    return 0
