"""The embedded index's fields, and a paragraph's index fields as a tantivy document.

Pairs with engine/elastic/indices.py (the Elasticsearch mappings): both
index the flat field dict of engine.documents.index_fields. Besides those
fields, the embedded index keeps a few fast fields of its own (tie-breaks,
duplicate grouping, the quality multiplier, topic combinations) that
Elasticsearch computes at query time instead.
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

import tantivy

from engine import backend_rules, plan
from engine import documents as stored
from engine import facets as registry

#: Bump when the fields below change; an index of another version is refused.
SCHEMA_VERSION = 9  # 2: facet origins; 3: id_prefix (tie-breaks); 4: quality_weight; 5: topic_set; 6: doc_type, org_type; 7: context (headings); 8: part_of, origin (stored); 9: keyword fields without positions or norms, columns only where read, stored values as a GB18030 list, article values once per batch
#: The tokenizer of the analysed fields: tokens were made by engine.analysis, the index only splits them apart.
WHITESPACE = "whitespace_only"
#: ``sources()`` splits the files into this many partitions when one aggregation cannot list them all.
SOURCE_PARTITIONS = 256
#: Joins a paragraph's topics into its ``topic_set`` value (never part of a topic name).
TOPIC_SEPARATOR = "\x1f"
#: Keyword fields nobody reads as a column: ``quality_band`` and ``topics`` are only matched by term
#: (topic counts come from ``topic_set``), so they keep no fast column.
UNREAD_COLUMNS = frozenset({"quality_band", "topics"})
#: Keyword fields only read as a column (``sources()`` aggregates the hashes) and never matched by term.
COLUMN_ONLY = frozenset({"source_sha256"})
#: The stored values' encoding. GB18030 maps every Unicode code point and back (tests check all of them),
#: in 2 bytes for a common Han character where UTF-8 takes 3; lz4, the doc store's compression, finds
#: few repeats in Chinese prose, so the stored text shrinks by about a third.
STORED_ENCODING = "gb18030"
#: The stored fields: ``values`` holds nearly everything; ``stored`` keeps the JSON object it used to be,
#: now with quality only (read straight from the doc store by tests/engine/test_embedded.py).
VALUES_FIELD = "values"
SHIM_FIELD = "stored"


def build_schema() -> tantivy.Schema:
    """The tantivy schema of one generation."""
    builder = tantivy.SchemaBuilder()
    for name in stored.KEYWORD_FIELDS:
        # One token per value, matched by term or read as a column: positions and freqs would never be read.
        builder.add_text_field(name, fast=name not in UNREAD_COLUMNS, tokenizer_name="raw", index_option="basic")
    for name in sorted(registry.integer_fields()):
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_integer_field("position", indexed=True, fast=True)
    # A paragraph's topics as one value: counting a multi-valued column costs ~4x more (see engine.embedded.facets).
    builder.add_text_field("topic_set", fast=True, tokenizer_name="raw", index_option="basic")
    # Cheap per-hit duplicate grouping: fast fields are read in bulk, strings are not.
    builder.add_unsigned_field("collapse_hash", fast=True)
    # tantivy multiplies scores by log2(2 + this), which is how quality weighs in here (see quality_weight).
    builder.add_float_field("quality_weight", fast=True)
    # Ties in score are broken by paragraph_id; its first 8 bytes, read in bulk, settle nearly all.
    builder.add_unsigned_field("id_prefix", fast=True)
    # Splits sources() into partitions when there are too many files for one aggregation (a term query only).
    builder.add_integer_field("source_bucket", indexed=True, fast=False)
    for name in stored.ANALYSED_FIELDS:
        builder.add_text_field(name, tokenizer_name=WHITESPACE, index_option="position")
    # What a hit or article view shows: a list of values (see encode_values), quality on its own.
    builder.add_bytes_field(SHIM_FIELD, stored=True)
    builder.add_bytes_field(VALUES_FIELD, stored=True)
    return _keywords_without_norms(builder.build())


def _keywords_without_norms(schema: tantivy.Schema) -> tantivy.Schema:
    """``schema`` with no field norms on raw keyword fields, and ``COLUMN_ONLY`` fields not indexed.

    tantivy-py's builder always records a norm per document and indexes every
    text field. A keyword field is only matched by term as a filter, never
    scored by length, so its norms (a byte per paragraph and field) are dead
    weight. The schema's pickled form, the one way tantivy-py takes these
    options, is edited instead.
    """
    rebuild, (pythonized,) = schema.__reduce__()
    for entry in pythonized["inner"]:
        indexing = entry["options"].get("indexing") if entry["type"] == "text" else None
        if indexing is None or indexing["tokenizer"] != "raw":
            continue
        if entry["name"] in COLUMN_ONLY:
            entry["options"]["indexing"] = None
        else:
            indexing["fieldnorms"] = False
    return rebuild(pythonized)


def whitespace_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer registered as ``WHITESPACE``: split on whitespace, nothing else."""
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def engine_version() -> dict[str, Any]:
    """What decides whether an index on disk can be read by this program."""
    return backend_rules.version_stamp(SCHEMA_VERSION)


def collapse_hash(key: str) -> int:
    """A duplicate key as a 64-bit number, for grouping hits from a fast field."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


def quality_weight(quality: float) -> float:
    """The ``weight_by_field`` value that makes tantivy multiply a score by ``plan.quality_factor``."""
    return 2.0 ** plan.quality_factor(quality) - 2.0


def id_prefix(paragraph_id: str) -> int:
    """The first 8 bytes of the id as a number: ordering these orders the ids, except among equal prefixes."""
    return int.from_bytes(paragraph_id.encode()[:8].ljust(8, b"\0"), "big")


def source_bucket(path: str) -> int:
    """The partition of ``sources()`` a file falls in."""
    return zlib.crc32(path.encode()) % SOURCE_PARTITIONS


def topic_set(topics: Iterable[str]) -> str:
    """A paragraph's topics as one ``topic_set`` value."""
    return TOPIC_SEPARATOR.join(sorted(topics))


def topic_counts(by_set: Mapping[str, int]) -> dict[str, int]:
    """Paragraphs per topic, from paragraphs per combination of topics."""
    counts: dict[str, int] = {}
    for combination, count in by_set.items():
        for topic in combination.split(TOPIC_SEPARATOR):
            counts[topic] = counts.get(topic, 0) + count
    return counts


def to_tantivy(fields: Mapping[str, Any]) -> tantivy.Document:
    """The tantivy document of one paragraph's index fields (engine.documents.index_fields)."""
    doc = tantivy.Document()
    for name in stored.KEYWORD_FIELDS:
        values = fields.get(name)
        for value in values if isinstance(values, list) else [values]:
            if value:
                doc.add_text(name, value)
    if fields.get("topics"):
        doc.add_text("topic_set", topic_set(fields["topics"]))
    for name in registry.integer_fields():
        if fields.get(name) is not None:
            doc.add_integer(name, int(fields[name]))
    doc.add_integer("position", int(fields["position"]))
    doc.add_unsigned("collapse_hash", collapse_hash(fields["duplicate_key"]))
    doc.add_unsigned("id_prefix", id_prefix(fields["paragraph_id"]))
    doc.add_float("quality_weight", quality_weight(fields.get("quality") or 0.0))
    doc.add_integer("source_bucket", source_bucket(fields["source_path"]))
    for name in stored.ANALYSED_FIELDS:
        doc.add_text(name, fields[name])
    doc.add_bytes(SHIM_FIELD, json.dumps({key: fields.get(key) for key in _SHIM_KEYS}).encode())
    doc.add_bytes(VALUES_FIELD, encode_values(fields))
    return doc


def encode_values(fields: Mapping[str, Any]) -> bytes:
    """The ``values`` bytes of one paragraph: a JSON list in ``STORED_ENCODING``.

    The paragraph's own ``engine.documents.PARAGRAPH_KEYS`` values by
    position (as keys, with lz4 they would cost more than most values), a
    duplicate key that is the paragraph's own id (no duplicate group) as
    null; then either its article's ``ARTICLE_KEYS`` values, trailing nulls
    left out, or, when ``fields.article_head`` says an earlier paragraph of
    the batch holds them, ``{"head": [offset, paragraph_id]}`` instead.
    """
    extra = fields.keys() - _STORED_KEY_SET - set(stored.ANALYSED_FIELDS)
    if extra:
        raise ValueError(f"fields {sorted(extra)} are not in engine.documents.STORED_KEYS")
    values: list[Any] = [fields.get(key) for key in _OWN_KEYS]
    if values[_DUPLICATE_KEY] == fields.get("paragraph_id"):
        values[_DUPLICATE_KEY] = None
    head = getattr(fields, "article_head", None)
    if head is not None:
        values.append({"head": list(head)})
    else:
        article = [fields.get(key) for key in stored.ARTICLE_KEYS]
        while article and article[-1] is None:
            article.pop()
        values += article
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode(STORED_ENCODING)


def decode_document(document: tantivy.Document) -> tuple[dict[str, Any], tuple[int, str] | None]:
    """The stored fields of one paragraph, and where its article's values are if it does not hold them."""
    values = json.loads(document.get_first(VALUES_FIELD).decode(STORED_ENCODING))
    fields = dict(zip(_OWN_KEYS, values, strict=False))
    fields.update(json.loads(document.get_first(SHIM_FIELD)))
    if fields["duplicate_key"] is None:
        fields["duplicate_key"] = fields["paragraph_id"]
    rest = values[len(_OWN_KEYS) :]
    if len(rest) == 1 and isinstance(rest[0], dict):
        offset, head_id = rest[0]["head"]
        return fields, (offset, head_id)
    fields.update(zip(stored.ARTICLE_KEYS, rest + [None] * (len(stored.ARTICLE_KEYS) - len(rest)), strict=True))
    return fields, None


def stored_fields(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
    """The stored fields of the paragraph at ``address`` (its article's values read from where they are)."""
    fields, head = decode_document(searcher.doc(address))
    if head is not None:
        fields.update(_article_values(searcher, address, *head))
    return {key: fields[key] for key in stored.STORED_KEYS}


def _article_values(
    searcher: tantivy.Searcher, address: tantivy.DocAddress, offset: int, head_id: str
) -> dict[str, Any]:
    """The ``ARTICLE_KEYS`` values held by the paragraph ``head_id``, ``offset`` documents before ``address``.

    A batch is added in order and deleted whole, so the head is nearly always
    there, in the same doc-store block. When it is not (a segment was flushed
    in the middle of the batch), it is looked up by its id.
    """
    if offset <= address.doc:
        fields, head = decode_document(searcher.doc(tantivy.DocAddress(address.segment_ord, address.doc - offset)))
        if head is None and fields["paragraph_id"] == head_id:
            return {key: fields[key] for key in stored.ARTICLE_KEYS}
    query = tantivy.Query.term_query(_lookup_schema(), "paragraph_id", head_id)
    for _, found in searcher.search(query, limit=8).hits:
        fields, head = decode_document(searcher.doc(found))
        if head is None:
            return {key: fields[key] for key in stored.ARTICLE_KEYS}
    raise LookupError(f"the paragraph {head_id} holding its article's stored fields is missing from the index")


@functools.cache
def _lookup_schema() -> tantivy.Schema:
    """The schema term queries are built against (fields by name: every generation of this version has it)."""
    return build_schema()


#: Stored as a small JSON object of their own, as before the values list (tests read quality from it).
_SHIM_KEYS = ("quality",)
_OWN_KEYS = tuple(key for key in stored.PARAGRAPH_KEYS if key not in _SHIM_KEYS)
_STORED_KEY_SET = frozenset(stored.STORED_KEYS)
_DUPLICATE_KEY = _OWN_KEYS.index("duplicate_key")
