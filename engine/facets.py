"""The facet registry: one declaration per facet, read by every layer.

The declarations live in ``engine/data/facets.toml`` (users may edit labels,
vocabularies and display order there); this module loads and checks them
once and answers questions about them. It sits at the bottom of the engine
(it imports nothing of the project), so the contract, the plan, both
backends, the indexer, the portal and the benchmarks can all read it.

A facet has a ``name`` (URL/API parameter, ``SearchRequest.filters`` key),
the index ``field`` behind it (also the ``IndexDocument`` attribute), a
Chinese ``label``, a CLI ``flag``, an ordered closed vocabulary (``values``,
empty when open), the value meaning "not known", and whether a paragraph
may hold several values.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

REGISTRY_FILE = Path(__file__).resolve().parent / "data" / "facets.toml"

Kind = Literal["keyword", "year", "file"]
Order = Literal["count", "vocabulary", "newest"]

_KINDS = ("keyword", "year", "file")
_ORDERS = ("count", "vocabulary", "newest")
_NAME = re.compile(r"^[a-z][a-z_]*$")
_FLAG = re.compile(r"^--[a-z][a-z-]*$")
_KEYS = frozenset(
    {
        "name",
        "field",
        "label",
        "flag",
        "values",
        "unknown",
        "multi",
        "kind",
        "article",
        "correctable",
        "order",
        "overview",
        "folded",
    }
)


class RegistryError(ValueError):
    """The facet registry file is malformed; the message names the facet and the key."""


@dataclass(frozen=True)
class Facet:
    """One facet as declared in the registry file."""

    name: str
    field: str
    label: str
    flag: str
    values: tuple[str, ...] = ()
    unknown: str = ""
    multi: bool = False
    kind: Kind = "keyword"
    article: bool = False
    correctable: bool = False
    order: Order = "count"
    overview: bool = False
    folded: bool = False

    @property
    def closed(self) -> bool:
        """True when the facet has a fixed vocabulary."""
        return bool(self.values)

    def is_unknown(self, value: object) -> bool:
        """True when ``value`` says nothing (the declared unknown value, empty or missing)."""
        return value is None or value == "" or value == self.unknown

    def display_order(self, values: Iterable[str], counts: Mapping[str, int]) -> list[str]:
        """``values`` in the facet's display order (ties and values outside the vocabulary by count, then value)."""
        by_count = sorted(values, key=lambda v: (-counts.get(v, 0), v))
        if self.order == "newest":
            return sorted(by_count, key=lambda v: (-int(v), v) if v.lstrip("-").isdigit() else (0, v))
        if self.order == "vocabulary":
            rank = {v: i for i, v in enumerate(self.values)}
            return sorted(by_count, key=lambda v: rank.get(v, len(rank)))
        return by_count


@dataclass(frozen=True)
class Preset:
    """A one-click narrowing offered on the search page (e.g. 只看工会工作总结)."""

    label: str
    title: str
    filters: tuple[tuple[str, tuple[str, ...]], ...]

    def as_filters(self) -> dict[str, tuple[str, ...]]:
        """facet name → the values this preset selects."""
        return dict(self.filters)


def _facet(raw: Mapping[str, Any], position: int) -> Facet:
    where = f"{REGISTRY_FILE.name}: facet #{position + 1} ({raw.get('name', '?')})"
    unknown_keys = set(raw) - _KEYS
    if unknown_keys:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(sorted(unknown_keys))}")
    for key in ("name", "field", "label", "flag"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise RegistryError(f"{where}: '{key}' must be a non-empty string")
    if not _NAME.match(raw["name"]) or not _NAME.match(raw["field"]):
        raise RegistryError(f"{where}: name and field must be lower-case ASCII words")
    if not _FLAG.match(raw["flag"]):
        raise RegistryError(f"{where}: flag must look like --some-name")
    values = raw.get("values", [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise RegistryError(f"{where}: 'values' must be a list of non-empty strings")
    if len(set(values)) != len(values):
        raise RegistryError(f"{where}: 'values' lists a value twice")
    unknown = raw.get("unknown", "")
    if not isinstance(unknown, str) or (values and unknown and unknown not in values):
        raise RegistryError(f"{where}: 'unknown' must be a string, and one of 'values' when they are given")
    if raw.get("kind", "keyword") not in _KINDS:
        raise RegistryError(f"{where}: 'kind' must be one of {', '.join(_KINDS)}")
    if raw.get("order", "count") not in _ORDERS:
        raise RegistryError(f"{where}: 'order' must be one of {', '.join(_ORDERS)}")
    if raw.get("order") == "vocabulary" and not values:
        raise RegistryError(f"{where}: order = 'vocabulary' needs 'values'")
    for key in ("multi", "article", "correctable", "overview", "folded"):
        if not isinstance(raw.get(key, False), bool):
            raise RegistryError(f"{where}: '{key}' must be true or false")
    return Facet(
        name=raw["name"],
        field=raw["field"],
        label=raw["label"].strip(),
        flag=raw["flag"],
        values=tuple(values),
        unknown=unknown,
        multi=raw.get("multi", False),
        kind=raw.get("kind", "keyword"),
        article=raw.get("article", False),
        correctable=raw.get("correctable", False),
        order=raw.get("order", "count"),
        overview=raw.get("overview", False),
        folded=raw.get("folded", False),
    )


def _preset(raw: Mapping[str, Any], facets: Mapping[str, Facet]) -> Preset:
    label = raw.get("label")
    filters = raw.get("filters")
    if not isinstance(label, str) or not label.strip() or not isinstance(filters, dict) or not filters:
        raise RegistryError(f"{REGISTRY_FILE.name}: every [[preset]] needs a label and filters")
    chosen: list[tuple[str, tuple[str, ...]]] = []
    for name, values in filters.items():
        if name not in facets:
            raise RegistryError(f"{REGISTRY_FILE.name}: preset {label}: no facet named {name}")
        values = [values] if isinstance(values, str) else values
        if not values or not all(isinstance(v, str) and v for v in values):
            raise RegistryError(f"{REGISTRY_FILE.name}: preset {label}: {name} needs values")
        chosen.append((name, tuple(values)))
    return Preset(label.strip(), str(raw.get("title") or label).strip(), tuple(chosen))


def load_registry(path: Path = REGISTRY_FILE) -> tuple[tuple[Facet, ...], tuple[Preset, ...]]:
    """Read and check a registry file: the facets in display order, then the presets."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"cannot read the facet registry {path}: {exc}") from exc
    facets = tuple(_facet(raw, i) for i, raw in enumerate(data.get("facet", [])))
    if not facets:
        raise RegistryError(f"{path.name}: no [[facet]] declared")
    for attribute in ("name", "field", "flag"):
        seen = [getattr(f, attribute) for f in facets]
        if len(set(seen)) != len(seen):
            raise RegistryError(f"{path.name}: two facets share a {attribute}")
    if sum(f.kind == "year" for f in facets) > 1:
        raise RegistryError(f"{path.name}: only one facet may be of kind 'year'")
    by_name = {f.name: f for f in facets}
    presets = tuple(_preset(raw, by_name) for raw in data.get("preset", []))
    return facets, presets


FACETS_DECLARED, PRESETS = load_registry()

#: Facet names in display order (what engine.contract.FACETS re-exports).
NAMES: tuple[str, ...] = tuple(f.name for f in FACETS_DECLARED)
_BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS_DECLARED}


def facet(name: str) -> Facet:
    """The declaration of one facet (KeyError for a name that is not a facet)."""
    return _BY_NAME[name]


def get(name: str) -> Facet | None:
    """The declaration of one facet, or None."""
    return _BY_NAME.get(name)


def all_facets() -> tuple[Facet, ...]:
    """Every facet, in display order."""
    return FACETS_DECLARED


def fields() -> dict[str, str]:
    """facet name → index field."""
    return {f.name: f.field for f in FACETS_DECLARED}


def keyword_fields() -> tuple[str, ...]:
    """Index fields of the facets stored as keywords (every kind but the integer year)."""
    return tuple(f.field for f in FACETS_DECLARED if f.kind != "year")


def integer_fields() -> frozenset[str]:
    """Index fields of the facets stored as integers."""
    return frozenset(f.field for f in FACETS_DECLARED if f.kind == "year")


def year_facet() -> Facet | None:
    """The facet that holds years and takes ranges, if one is declared."""
    return next((f for f in FACETS_DECLARED if f.kind == "year"), None)


def article_facets() -> tuple[Facet, ...]:
    """Facets that are properties of a whole article."""
    return tuple(f for f in FACETS_DECLARED if f.article)


def correctable() -> tuple[Facet, ...]:
    """Facets a person may correct (portal form, metadata.csv columns), in display order."""
    return tuple(f for f in FACETS_DECLARED if f.correctable)


def labels() -> dict[str, str]:
    """facet name → Chinese label."""
    return {f.name: f.label for f in FACETS_DECLARED}


def by_field(field: str) -> Facet | None:
    """The facet whose index field is ``field``, or None."""
    return next((f for f in FACETS_DECLARED if f.field == field), None)
