"""The embedded index's fields, and a paragraph's index fields as a tantivy document.

Pairs with engine/elastic/indices.py (the Elasticsearch mappings): both
index the flat field dict of engine.documents.index_fields. Besides those
fields, the embedded index keeps a few fast fields of its own (tie-breaks,
duplicate grouping, the quality multiplier, topic combinations) that
Elasticsearch computes at query time instead.
"""

from __future__ import annotations

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
SCHEMA_VERSION = 8  # 2: facet origins; 3: id_prefix (tie-breaks); 4: quality_weight; 5: topic_set; 6: doc_type, org_type; 7: context (headings); 8: part_of, origin (stored)
#: The tokenizer of the analysed fields: tokens were made by engine.analysis, the index only splits them apart.
WHITESPACE = "whitespace_only"
#: ``sources()`` splits the files into this many partitions when one aggregation cannot list them all.
SOURCE_PARTITIONS = 256
#: Joins a paragraph's topics into its ``topic_set`` value (never part of a topic name).
TOPIC_SEPARATOR = "\x1f"


def build_schema() -> tantivy.Schema:
    """The tantivy schema of one generation."""
    builder = tantivy.SchemaBuilder()
    for name in stored.KEYWORD_FIELDS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw")
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
    # Splits sources() into partitions when there are too many files for one aggregation.
    builder.add_integer_field("source_bucket", indexed=True, fast=True)
    for name in stored.ANALYSED_FIELDS:
        builder.add_text_field(name, tokenizer_name=WHITESPACE, index_option="position")
    # Everything a hit or article view shows, as one JSON blob (like Elasticsearch's _source).
    builder.add_bytes_field("stored", stored=True)
    return builder.build()


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
    shown = {k: v for k, v in fields.items() if k not in stored.ANALYSED_FIELDS}
    doc.add_bytes("stored", json.dumps(shown, ensure_ascii=False).encode())
    return doc


def decode_stored(blob: bytes) -> dict[str, Any]:
    """The stored fields of one paragraph, from the bytes ``to_tantivy`` stored."""
    return json.loads(blob)


def stored_fields(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
    """The stored fields of the paragraph at ``address``."""
    return decode_stored(searcher.doc(address).get_first("stored"))
