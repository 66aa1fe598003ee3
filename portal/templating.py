"""Jinja filters and globals shared by every template.

Autoescaping stays on everywhere. The one place HTML is trusted is
``engine_html``: it is used only on ``Hit.highlighted``, ``Hit.fragment``
and article paragraphs marked by ``engine.highlight`` — text the engine
escaped itself before adding its <mark> tags. User input never passes it.
``mark_heading`` (portal.headings) marks a hit's section headings the same way.
"""

from __future__ import annotations

import hashlib
import posixpath
from functools import cache
from pathlib import Path

from flask import Flask, url_for
from markupsafe import Markup

from engine.contract import FACETS
from engine.query import MAX_QUERY_LENGTH
from portal.citation import source_line
from portal.headings import mark_heading
from portal.labels import facet_label, known, origin_label, value_label

_STATIC = Path(__file__).resolve().parent / "static"


def engine_html(value: str) -> Markup:
    """Trust HTML the engine escaped and marked (Hit.highlighted / Hit.fragment only)."""
    return Markup(value)  # safe: escaped by engine.highlight, see module docstring


@cache
def _fingerprint(filename: str) -> str:
    try:
        return hashlib.sha256((_STATIC / filename).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def asset_url(filename: str) -> str:
    """A static file URL with a content hash, so browsers never run a stale script after a deploy."""
    return url_for("static", filename=filename, v=_fingerprint(filename))


def basename(path: str) -> str:
    """The file name of a stored source path."""
    return posixpath.basename(path) or path


def init_app(app: Flask) -> None:
    """Register filters and globals."""
    app.jinja_env.filters.update(
        engine_html=engine_html,
        facet_label=facet_label,
        value_label=value_label,
        origin_label=origin_label,
        basename=basename,
        mark_heading=mark_heading,
    )
    app.jinja_env.globals.update(
        asset_url=asset_url,
        source_line=source_line,
        max_query_length=MAX_QUERY_LENGTH,
        facet_names=FACETS,
        known=known,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
