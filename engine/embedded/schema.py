"""The embedded index's fields, and a paragraph's index fields as a tantivy document.

Pairs with engine/elastic/indices.py (the Elasticsearch mappings): both
index the flat field dict of engine.documents.index_fields. Besides those
fields, the embedded index keeps a few fast fields of its own (tie-breaks,
duplicate grouping, the quality multiplier, a paragraph's topics as bits)
that Elasticsearch computes at query time instead.

Sizes (issue 17: the index at most twice the paragraph text): keyword
fields keep neither positions, freqs nor norms, and a column only where
something reads one. A paragraph's stored fields are one GB18030 JSON list
(``encode_values``) without the values it can find elsewhere: its article's
values, held once by the article's first paragraph of the batch, and a
duplicate key that the ``collapse_hash`` column holds as a number.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import tantivy

from engine import backend_rules, plan
from engine import documents as stored
from engine import facets as registry

#: Bump when the fields below change; an index of another version is refused.
# 2: facet origins; 3: id_prefix (tie-breaks); 4: quality_weight; 5: topic_set; 6: doc_type, org_type;
# 7: context (headings); 8: part_of, origin (stored); 9: keyword fields without positions or norms, columns only
# where read, stored values as a GB18030 list; 10: article values once per batch, hex duplicate keys read back
# from the collapse_hash column; 11: usual ids and quality bands left out of the stored values, position not
# indexed; 12: quality in the values list (no separate stored field); 13: topic_mask (a bit per topic, names in
# the generation's TOPICS.json) instead of topic_set.
SCHEMA_VERSION = 13
#: The tokenizer of the analysed fields: tokens were made by engine.analysis, the index only splits them apart.
WHITESPACE = "whitespace_only"
#: ``sources()`` splits the files into this many partitions when one aggregation cannot list them all.
SOURCE_PARTITIONS = 256
#: Topics one generation can tell apart: ``topic_mask`` is a u64 column, a bit per topic name.
TOPIC_BITS = 64
#: Keyword fields nobody reads as a column: ``quality_band`` and ``topics`` are only matched by term
#: (topic counts come from ``topic_mask``), so they keep no fast column.
UNREAD_COLUMNS = frozenset({"quality_band", "topics"})
#: Raw fields only read as a column (paragraph ids sort ties, ``sources()`` aggregates the hashes), never
#: matched by term.
COLUMN_ONLY = frozenset({"paragraph_id", "source_sha256"})
#: The stored values' encoding. GB18030 maps every Unicode code point and back (tests check all of them),
#: in 2 bytes for a common Han character where UTF-8 takes 3; lz4, the doc store's compression, finds
#: few repeats in Chinese prose, so the stored text shrinks by about a third.
STORED_ENCODING = "gb18030"
#: A duplicate key as the indexer makes them (engine.embedded.schema.collapse_hash keeps it as a number).
_HEX_KEY = re.compile("[0-9a-f]{16}")
#: The one stored field: a paragraph's values (see encode_values).
VALUES_FIELD = "values"


def build_schema() -> tantivy.Schema:
    """The tantivy schema of one generation."""
    builder = tantivy.SchemaBuilder()
    for name in stored.KEYWORD_FIELDS:
        # One token per value, matched by term or read as a column: positions and freqs would never be read.
        builder.add_text_field(name, fast=name not in UNREAD_COLUMNS, tokenizer_name="raw", index_option="basic")
    for name in sorted(registry.integer_fields()):
        builder.add_integer_field(name, indexed=True, fast=True)
    # Sorts an article's paragraphs and counts matches (columns); never searched.
    builder.add_integer_field("position", indexed=False, fast=True)
    # A paragraph's topics as one number, bit i for the generation's topic i (engine.embedded.generations.TopicBits):
    # one terms aggregation counts its combinations with numeric keys, half the cost per bucket of string keys
    # (the earlier ``topic_set`` of joined names), and a multi-valued column would cost ~4x more.
    builder.add_unsigned_field("topic_mask", fast=True)  # a column only
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
    # What a hit or article view shows: a list of values (see encode_values).
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
    """A duplicate key as a 64-bit number, for grouping hits from a fast field.

    The indexer's keys are 16 hex digits: such a key is its own number, so
    that it can be read back from the column (``stored_fields``) instead of
    being stored. Any other key is hashed.
    """
    if _HEX_KEY.fullmatch(key):
        return int(key, 16)
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


def topic_counts(buckets: Iterable[Mapping[str, Any]], names_for: Callable[[int], Sequence[str]]) -> dict[str, int]:
    """Paragraphs per topic, from the buckets of a terms aggregation on ``topic_mask``.

    ``names_for`` is given every bit set in some bucket (the masks or'ed
    together) and returns the topic names by bit (TopicBits.names_for).
    """
    per_bit = [0] * TOPIC_BITS
    union = 0
    for bucket in buckets:
        mask, count = bucket["key"], bucket["doc_count"]
        union |= mask
        for bit in _bits(mask):
            per_bit[bit] += count
    names = names_for(union)
    return {names[bit]: count for bit, count in enumerate(per_bit) if count}


@functools.lru_cache(maxsize=65_536)
def _bits(mask: int) -> tuple[int, ...]:
    """The bits set in ``mask``: an index holds a few thousand combinations, each asked for by every search."""
    return tuple(bit for bit in range(mask.bit_length()) if mask >> bit & 1)


def to_tantivy(fields: Mapping[str, Any], topic_mask: Callable[[Iterable[str]], int]) -> tantivy.Document:
    """The tantivy document of one paragraph's index fields (engine.documents.index_fields).

    ``topic_mask`` gives a paragraph's topics as bits of the generation the document goes to (TopicBits.mask).
    """
    doc = tantivy.Document()
    for name in stored.KEYWORD_FIELDS:
        values = fields.get(name)
        for value in values if isinstance(values, list) else [values]:
            if value:
                doc.add_text(name, value)
    if fields.get("topics"):
        # Left out when there are none: the column then stores no value for a quarter of the paragraphs.
        doc.add_unsigned("topic_mask", topic_mask(fields["topics"]))
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
    doc.add_bytes(VALUES_FIELD, encode_values(fields))
    return doc


def encode_values(fields: Mapping[str, Any]) -> bytes:
    """The ``values`` bytes of one paragraph: a JSON list in ``STORED_ENCODING``.

    First the paragraph's own ``engine.documents.PARAGRAPH_KEYS`` values by
    position (as keys, with lz4 they would cost more than most values), null
    where the value follows from the others: the id when it is the usual one
    (article id and position), the quality band when it is quality's, the
    duplicate key when it is the paragraph's own id (no duplicate group); 0
    for a duplicate key that ``collapse_hash`` keeps as its number. Then either
    its article's ``ARTICLE_KEYS`` values, trailing nulls left out, or, when
    ``fields.article_head`` says an earlier paragraph of the batch holds
    them, how many documents earlier that is (a number, which no title is).
    """
    extra = fields.keys() - _STORED_KEY_SET - set(stored.ANALYSED_FIELDS)
    if extra:
        raise ValueError(f"fields {sorted(extra)} are not in engine.documents.STORED_KEYS")
    values: list[Any] = [fields.get(key) for key in _OWN_KEYS]
    key = values[_DUPLICATE_KEY]
    if key == fields.get("paragraph_id"):
        values[_DUPLICATE_KEY] = None
    elif _HEX_KEY.fullmatch(key):
        values[_DUPLICATE_KEY] = _KEY_IN_COLUMN
    if fields.get("paragraph_id") == _usual_id(fields):
        values[_PARAGRAPH_ID] = None
    if fields.get("quality_band") == plan.quality_band(fields.get("quality") or 0.0, bool(fields.get("is_heading"))):
        values[_QUALITY_BAND] = None
    head = getattr(fields, "article_head", None)
    if head is not None:
        values.append(head)
    else:
        article = [fields.get(key) for key in stored.ARTICLE_KEYS]
        while article and article[-1] is None:
            article.pop()
        values += article
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode(STORED_ENCODING)


def decode_document(document: tantivy.Document) -> tuple[dict[str, Any], int | None]:
    """The stored fields of one paragraph, and how many documents earlier its article's values are if not here.

    A duplicate key kept in the ``collapse_hash`` column comes back as 0 (``stored_fields`` reads it).
    """
    values = json.loads(document.get_first(VALUES_FIELD).decode(STORED_ENCODING))
    fields = dict(zip(_OWN_KEYS, values, strict=False))
    if fields["paragraph_id"] is None:
        fields["paragraph_id"] = _usual_id(fields)
    if fields["duplicate_key"] is None:
        fields["duplicate_key"] = fields["paragraph_id"]
    if fields["quality_band"] is None:
        fields["quality_band"] = plan.quality_band(fields["quality"] or 0.0, bool(fields["is_heading"]))
    rest = values[len(_OWN_KEYS) :]
    if len(rest) == 1 and type(rest[0]) is int:
        return fields, rest[0]
    fields.update(zip(stored.ARTICLE_KEYS, rest + [None] * (len(stored.ARTICLE_KEYS) - len(rest)), strict=True))
    return fields, None


def stored_fields(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
    """The stored fields of the paragraph at ``address`` (its article's values read from where they are)."""
    fields, head = decode_document(searcher.doc(address))
    if fields["duplicate_key"] == _KEY_IN_COLUMN:
        fields["duplicate_key"] = f"{searcher.fast_field_values('collapse_hash', [address])[0]:016x}"
    if head is not None:
        fields.update(_article_values(searcher, address, head, fields["article_id"]))
    return fields


def _article_values(
    searcher: tantivy.Searcher, address: tantivy.DocAddress, offset: int, article_id: str
) -> Mapping[str, Any] | Iterable[tuple[str, Any]]:
    """The ``ARTICLE_KEYS`` values of the paragraph at ``address``, held ``offset`` documents before it.

    A batch is added in order and deleted whole, so they are nearly always
    there, in the same doc-store block. When they are not (a segment was
    flushed in the middle of the batch), the article's paragraphs are
    searched for the one that holds them.
    """
    if offset <= address.doc:
        held = _held_article_values(
            searcher.doc(tantivy.DocAddress(address.segment_ord, address.doc - offset)).get_first(VALUES_FIELD)
        )
        if held is not None and held[0] == article_id:
            return held[1]
    schema = _lookup_schema()
    article = tantivy.Query.term_query(schema, "article_id", article_id)
    for values in _article_heads(searcher, article):
        # Another file's article of the same id also has a head: the right one shares this paragraph's file.
        same_file = tantivy.Query.term_query(schema, "source_path", values["source_path"])
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, article), (tantivy.Occur.Must, same_file)])
        count = searcher.search(both, limit=1, count=True).count
        hits = searcher.search(both, limit=max(count, 1)).hits
        if any((a.segment_ord, a.doc) == (address.segment_ord, address.doc) for _, a in hits):
            return values
    raise LookupError(f"no paragraph of the article {article_id} holds its stored fields")


@functools.lru_cache(maxsize=1024)
def _held_article_values(blob: bytes) -> tuple[str, tuple[tuple[str, Any], ...]] | None:
    """The article id and ``ARTICLE_KEYS`` values in one paragraph's ``values`` bytes, None if it has none.

    Remembered by the bytes themselves, so never stale: the paragraphs of a
    page of hits often share an article, whose first paragraph is then
    parsed once.
    """
    values = json.loads(blob.decode(STORED_ENCODING))
    rest = values[len(_OWN_KEYS) :]
    if len(rest) == 1 and type(rest[0]) is int:
        return None
    padded = rest + [None] * (len(stored.ARTICLE_KEYS) - len(rest))
    return values[_ARTICLE_ID], tuple(zip(stored.ARTICLE_KEYS, padded, strict=True))


def _article_heads(searcher: tantivy.Searcher, article: tantivy.Query) -> list[dict[str, Any]]:
    """The ``ARTICLE_KEYS`` values of each paragraph matching ``article`` that holds them."""
    count = searcher.search(article, limit=1, count=True).count
    heads = []
    for _, found in searcher.search(article, limit=max(count, 1)).hits:
        fields, head = decode_document(searcher.doc(found))
        if head is None:
            heads.append({key: fields[key] for key in stored.ARTICLE_KEYS})
    return heads


def _usual_id(fields: Mapping[str, Any]) -> str:
    """The id the indexer gives a paragraph that is not a part: its article's id and its position."""
    return f"{fields.get('article_id')}-{fields.get('position'):04d}"


@functools.cache
def _lookup_schema() -> tantivy.Schema:
    """The schema term queries are built against (fields by name: every generation of this version has it)."""
    return build_schema()


_OWN_KEYS = tuple(stored.PARAGRAPH_KEYS)
_STORED_KEY_SET = frozenset(stored.STORED_KEYS)
_DUPLICATE_KEY = _OWN_KEYS.index("duplicate_key")
_PARAGRAPH_ID = _OWN_KEYS.index("paragraph_id")
_QUALITY_BAND = _OWN_KEYS.index("quality_band")
_ARTICLE_ID = _OWN_KEYS.index("article_id")
#: Stands for a duplicate key that is read from the ``collapse_hash`` column (no key is a number).
_KEY_IN_COLUMN = 0
