"""The Elasticsearch index: its mappings, names, version check, and the alias swap.

Layout: ``alias`` (default ``summaries``) points at one concrete index
``<alias>-<UTC timestamp>``. The first write creates it from mappings/*.json;
a rebuild writes a fresh concrete index and swaps the alias onto it with a
single ``_aliases`` call, so readers never see a half-built index.

Pairs with engine/embedded/schema.py (the fields) and
engine/embedded/generations.py (generations behind CURRENT, the swap).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import elasticsearch
from elasticsearch import Elasticsearch

from engine import backend_rules
from engine._es_transport import GuardedCalls, write_options
from engine.contract import EngineUnavailable, IncompatibleIndex

log = logging.getLogger(__name__)

MAPPINGS_DIR = Path(__file__).resolve().parents[2] / "mappings"

#: Bumped whenever mappings.json changes in a way old indices cannot serve.
SCHEMA_VERSION = (
    5  # 2: paragraphs carry the origins of their facet values; 3: doc_type, org_type; 4: context; 5: part_of, origin
)

#: How long a read may trust the last alias resolution (seconds).
ALIAS_TTL_S = 5.0

_T = TypeVar("_T")

#: A rebuild index while it is being filled: no replica to copy every bulk request to (a crash
#: mid-rebuild loses nothing that matters: the rebuild is discarded); ``Indices.settle`` restores
#: the template's replicas before the swap. The translog stays fsynced per request: the loader's
#: requests are a few MB each, so that is a few fsyncs per 100k paragraphs.
REBUILD_SETTINGS: dict[str, Any] = {"index": {"number_of_replicas": 0, "auto_expand_replicas": "false"}}


@cache
def _load_json(name: str) -> dict[str, Any]:
    with (MAPPINGS_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def copy_json(value: _T) -> _T:
    """A deep copy of a JSON value: cached bodies must never be mutated by a caller."""
    return json.loads(json.dumps(value))


def index_meta() -> dict[str, Any]:
    """What an index records about the code that built it (checked before every use)."""
    return backend_rules.version_stamp(SCHEMA_VERSION)


def index_body(alias: str | None = None) -> dict[str, Any]:
    """The create-index request: settings.json + mappings.json + version ``_meta``.

    With ``alias`` the index is born behind it (first write: one atomic
    call); a rebuild index is created without it and swapped in later.
    """
    settings = copy_json(_load_json("settings.json"))
    mappings = copy_json(_load_json("mappings.json"))
    mappings["_meta"] = {**mappings.get("_meta", {}), **index_meta()}
    body: dict[str, Any] = {"settings": settings, "mappings": mappings}
    if alias is not None:
        body["aliases"] = {alias: {}}
    return body


def _filled(value: Any, alias: str) -> Any:
    """``value`` with every ``{alias}`` placeholder in its strings replaced."""
    if isinstance(value, str):
        return value.replace("{alias}", alias)
    if isinstance(value, list):
        return [_filled(v, alias) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, alias) for k, v in value.items()}
    return value


def template_body(alias: str) -> dict[str, Any]:
    """The index template for ``<alias>-*`` (shards/replicas), from template.json.

    ``{alias}`` placeholders are filled in. The priority grows with the
    alias length because ES refuses two templates with overlapping patterns
    at the same priority, and ``a-*`` overlaps ``a-b-*``: the longer, more
    specific alias then wins, as it should.
    """
    body = _filled(copy_json(_load_json("template.json")), alias)
    body["priority"] = int(body.get("priority", 0)) + len(alias)
    return body


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` laid over it, nested dicts merged key by key."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def settled_settings(template: dict[str, Any]) -> dict[str, Any]:
    """The settings a rebuild index gets back before the swap: the template's replicas."""
    index = template.get("template", {}).get("settings", {}).get("index", {})
    replicas: dict[str, Any] = {"auto_expand_replicas": index.get("auto_expand_replicas", "false")}
    if "number_of_replicas" in index or "auto_expand_replicas" not in index:
        replicas["number_of_replicas"] = index.get("number_of_replicas", 1)
    return {"index": replicas}


def template_name(alias: str) -> str:
    """Name of the index template that belongs to ``alias``."""
    return f"{alias}-template"


def concrete_index_name(alias: str, now: datetime | None = None) -> str:
    """A fresh concrete index name ``<alias>-<UTC timestamp to the microsecond>``."""
    now = now or datetime.now(UTC)
    return f"{alias}-{now.astimezone(UTC):%Y%m%d%H%M%S%f}"


def swap_actions(alias: str, new: str, old: Iterable[str]) -> list[dict[str, Any]]:
    """The single ``_aliases`` request that moves ``alias`` from ``old`` to ``new`` atomically.

    A concrete index that squats the alias name itself (made by hand) is
    removed in the same call, since an alias cannot share an index's name.
    """
    actions: list[dict[str, Any]] = []
    for name in old:
        if name == alias:
            actions.append({"remove_index": {"index": name}})
        else:
            actions.append({"remove": {"index": name, "alias": alias}})
    actions.append({"add": {"index": new, "alias": alias}})
    return actions


class Indices:
    """The concrete indices behind one alias: resolving, checking, creating, swapping and deleting them."""

    def __init__(self, client: Elasticsearch, alias: str, call: GuardedCalls) -> None:
        self.client = client
        self.alias = alias
        self._call = call
        #: The concrete index a rebuild is writing, if one is under way.
        self.rebuilding: str | None = None
        self._checked: str | None = None
        self._resolved: tuple[float, list[str]] | None = None

    def live(self, *, cached: bool = False) -> list[str]:
        """Concrete indices behind the alias ([] when nothing was ever indexed).

        A concrete index named like the alias itself (created by hand) counts
        too. Reads may use a resolution up to ALIAS_TTL_S old (it only decides
        the compatibility check; the search itself names the alias), which
        saves a round trip per portal request; "nothing indexed" is never
        cached, so the first ingest shows up at once.
        """
        now = time.monotonic()
        if cached and self._resolved is not None and now - self._resolved[0] < ALIAS_TTL_S:
            return self._resolved[1]

        def get() -> list[str]:
            resp = self.client.options(ignore_status=404).indices.get_alias(name=self.alias)
            if resp.meta.status == 404:
                exists = self.client.options(ignore_status=404).indices.exists(index=self.alias)
                return [self.alias] if exists else []
            return sorted(resp.body)

        indices = self._call("resolve alias", get)
        self._resolved = (now, indices) if indices else None
        return indices

    def check(self, indices: list[str]) -> None:
        """Refuse an index built by another schema or analysis (tokens would not match)."""
        key = ",".join(indices)
        if not indices or key == self._checked:
            return
        resp = self._call("read mapping", lambda: self.client.indices.get_mapping(index=key))
        expected = index_meta()
        for name, body in resp.body.items():
            meta = body.get("mappings", {}).get("_meta", {}) or {}
            found = {k: meta.get(k) for k in expected}
            if found != expected:
                raise IncompatibleIndex(
                    f"Elasticsearch index {name} (alias {self.alias}) was built with {found}, "
                    f"this code needs {expected}; rebuild it: python -m indexer ingest --rebuild …"
                )
        self._checked = key

    def read_target(self) -> str | None:
        """The alias to read from, or None when nothing was ever indexed."""
        indices = self.live(cached=True)
        if not indices:
            return None
        try:
            self.check(indices)
        except elasticsearch.NotFoundError:
            # A rebuild elsewhere swapped the alias and deleted the index we
            # remembered: resolve again.
            indices = self.live()
            if not indices:
                return None
            self.check(indices)
        return self.alias

    def write_target(self) -> str:
        """Where writes go: the rebuild index, else the alias (created on first write)."""
        if self.rebuilding is not None:
            return self.rebuilding
        indices = self.live()
        if not indices:
            self.create(behind_alias=True)
            indices = self.live()
        self.check(indices)
        return self.alias

    def create(self, *, behind_alias: bool) -> str:
        """Create a fresh concrete index (and the alias's template), behind the alias or not yet."""
        template = template_body(self.alias)
        self._call(
            "put index template",
            lambda: self.client.indices.put_index_template(name=template_name(self.alias), **template),
        )
        name = concrete_index_name(self.alias)
        body = index_body(self.alias if behind_alias else None)
        if not behind_alias:
            body["settings"] = _merged(body["settings"], REBUILD_SETTINGS)
        self._call("create index", lambda: self.client.indices.create(index=name, **body))
        log.info("created Elasticsearch index %s%s", name, f" behind alias {self.alias}" if behind_alias else "")
        return name

    def begin_rebuild(self) -> str:
        """Create the empty index a rebuild writes to (RuntimeError if one is under way)."""
        if self.rebuilding is not None:
            raise RuntimeError(f"a rebuild into {self.rebuilding} is already under way")
        self.rebuilding = self.create(behind_alias=False)
        return self.rebuilding

    def settle(self, new: str) -> None:
        """Give a filled rebuild index the live index's replicas (the template's) before the swap."""
        restored = settled_settings(template_body(self.alias))
        writer = write_options(self.client)  # a settings update waits for the cluster state: not a quick read
        self._call("restore settings", lambda: writer.indices.put_settings(index=new, settings=restored))

    def swap(self, new: str) -> None:
        """Move the alias onto ``new`` in one ``_aliases`` call, then delete the indices it left."""
        old = [i for i in self.live() if i != new]
        actions = swap_actions(self.alias, new, old)
        self._call("swap alias", lambda: self.client.indices.update_aliases(actions=actions))
        self.rebuilding = None
        self._forget()
        # Older indices of ours that no alias points at are left over from a
        # crashed rebuild. Only older names: a rebuild that another process
        # started later is not ours to remove (as in the embedded engine).
        leftovers = [n for n in self._own() if n < new and n not in old]
        # The alias already serves the new index; failing to delete an old one
        # only costs disk, so it is logged rather than raised.
        for name in [*old, *leftovers]:
            if name == self.alias:
                continue  # removed by the remove_index action itself
            try:
                self._delete("delete old index", name)
            except (EngineUnavailable, elasticsearch.ApiError) as exc:
                log.warning("could not delete old index %s: %s", name, exc)

    def _own(self) -> list[str]:
        """Concrete indices named ``<alias>-<20-digit timestamp>`` (ours, not another alias's)."""
        pattern = re.compile(re.escape(self.alias) + r"-\d{20}")

        def get() -> list[str]:
            resp = self.client.indices.get_alias(index=f"{self.alias}-*", expand_wildcards="open,closed")
            return sorted(name for name in resp.body if pattern.fullmatch(name))

        try:
            return self._call("list indices", get)
        except elasticsearch.ApiError as exc:
            log.warning("could not list leftover indices of %s: %s", self.alias, exc)
            return []

    def abort_rebuild(self) -> None:
        """Delete the half-built index; the alias never moved (no-op when no rebuild is under way)."""
        new, self.rebuilding = self.rebuilding, None
        if new is not None:
            self._delete("delete rebuild index", new)

    def drop(self) -> None:
        """Delete every index behind the alias, a rebuild index and the template."""
        self.abort_rebuild()
        for name in self.live():
            self._delete("delete index", name)
        self._call(
            "delete template",
            lambda: self.client.options(ignore_status=404).indices.delete_index_template(
                name=template_name(self.alias)
            ),
        )
        self._forget()

    def _delete(self, what: str, name: str) -> None:
        self._call(what, lambda: self.client.options(ignore_status=404).indices.delete(index=name))

    def _forget(self) -> None:
        """Resolve and check the alias afresh on the next call (it moved or its indices went)."""
        self._checked = None
        self._resolved = None
