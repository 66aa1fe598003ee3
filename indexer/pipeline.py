"""The parse stage end to end: a file → its articles and paragraphs, enriched.

read → clean → split (inline markers, articles, sections) → enrich. One
function per step lives in its own package; this module only wires them
and assembles the records of indexer.model.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dateutil import parser as dateparser

import indexer.reading as reading
from indexer.cleaning import clean_lines
from indexer.cleaning.lines import CleanLine
from indexer.enrichment import facets, paths
from indexer.enrichment.dedup import article_key, paragraph_key
from indexer.enrichment.placeholders import find_placeholders
from indexer.enrichment.quality import content_quality
from indexer.enrichment.sidecar import SIDECAR_NAME, sidecar_overrides
from indexer.enrichment.text_origin import TextOrigins
from indexer.enrichment.topics import article_topics, paragraph_topics
from indexer.model import ARTICLE_FACETS, Article, Origin, Paragraph, SourceFile
from indexer.reading import RawDocument, UnreadableFile
from indexer.splitting import ArticleDraft, ParagraphDraft, split_articles, split_inline, split_paragraphs
from indexer.splitting.long_paragraphs import part_id, split_long_paragraph

_HASHLIKE = re.compile(r"^[\W_]*[0-9a-fA-F_\-]{8,}[\W_]*$|^\d+[_\-][0-9a-fA-F]{8,}$")
_IGNORED = re.compile(r"^(\.|~\$|\._)|\.(tmp|bak|lnk|ini|db)$", re.IGNORECASE)
QUALITY_SUBSTANTIAL = 0.5


@dataclass
class ParsedFile:
    """Everything parsed from one source file."""

    source: SourceFile
    articles: list[Article] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass(frozen=True)
class SkippedFile:
    """A file that could not be parsed, with the one-line reason."""

    path: str
    reason: str


def display_path(path: Path) -> str:
    """The path as stored and shown: relative to the working folder when inside it."""
    relative = os.path.relpath(path)
    return Path(relative).as_posix() if not relative.startswith("..") else path.resolve().as_posix()


def discover(targets: Iterable[str | Path]) -> Iterator[tuple[Path, Path]]:
    """Each file under the targets (recursively) with the root it was found under, sorted.

    Hidden folders are skipped like hidden files: the portal keeps deleted
    files in ``.trash/`` and work files in ``.portal/`` inside the archive,
    and a re-ingest must not bring them back.
    """
    for target in targets:
        target = Path(target)
        if target.is_dir():
            for file in sorted(p for p in target.rglob("*") if p.is_file()):
                hidden = any(part.startswith(".") for part in file.relative_to(target).parent.parts)
                if not hidden and file.name != SIDECAR_NAME and not _IGNORED.search(file.name):
                    yield file, target
        else:
            yield target, target.parent


def _fallback_title(doc: RawDocument, path: Path, page_title: str = "") -> str:
    """The title of text before any title line: the document's own, the page's collection, the file name."""
    if doc.title and doc.title.strip():
        return doc.title.strip()
    if page_title:
        return page_title
    return "" if _HASHLIKE.match(path.stem) else path.stem


def _publish_date(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return dateparser.parse(raw, yearfirst=True).date().isoformat()
    except (ValueError, OverflowError):
        return None


def _article_id(source_path: str, position: int) -> str:
    return hashlib.sha1(f"{source_path}#{position}".encode()).hexdigest()[:16]


def _infer_facets(
    draft_title: str, texts: list[str], path: Path, root: Path, shown_title: str = ""
) -> tuple[dict, dict[str, Origin]]:
    """Facet values and their origins: sidecar > path > title > text.

    A sidecar row's title may name the article as the file titles it or as the
    index shows it (``shown_title``: the first words when the file has no title),
    which is what a correction made in the portal writes.
    """
    values: dict[str, object] = {}
    origins: dict[str, Origin] = {}

    def keep(name: str, value: object, origin: Origin) -> None:
        if value not in (None, "") and name not in values:
            values[name] = value
            origins[name] = origin

    for name, value in sidecar_overrides(path, draft_title, root, also_title=shown_title).items():
        keep(name, int(value) if name == "year" and value.isdigit() else value, "sidecar")
    relative = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    keep("township", paths.township_from_path(relative), "path")
    keep("year", paths.year_from_path(relative), "path")
    keep("period", paths.period_from_path(relative), "path")
    # One reading of the article for every facet; a sidecar or path value already kept wins.
    inferred = facets.infer(draft_title, texts)
    for name, value in inferred.values.items():
        keep(name, value, inferred.origins[name])  # type: ignore[arg-type]
    return values, origins


def _article_record(
    article_id: str, title: str, position: int, source: SourceFile, values: dict, origins: dict[str, Origin]
) -> Article:
    """The Article with its facet values (unknowns as the registry's unknown values)."""
    return Article(
        article_id=article_id,
        title=title,
        source_path=source.path,
        source_sha256=source.sha256,
        position=position,
        org_level=str(values.get("org_level", "未知")),
        org_name=str(values.get("org_name", "")),
        township=str(values.get("township", "")),
        period=str(values.get("period", "未知")),
        year=values.get("year"),  # type: ignore[arg-type]
        publish_date=values.get("publish_date"),  # type: ignore[arg-type]
        doc_type=str(values.get("doc_type", "其他")),
        org_type=str(values.get("org_type", "其他")),
        year_label=values.get("year_label"),  # type: ignore[arg-type]
        origins=origins,
    )


def _paragraph_records(
    article: Article, drafts: list[ParagraphDraft], text_origins: TextOrigins | None
) -> tuple[list[Paragraph], list[str]]:
    """The article's Paragraphs (over-long ones as parts) and the placeholders found in them."""
    paragraphs: list[Paragraph] = []
    placeholders: list[str] = []
    copied = {facet: getattr(article, facet) for facet in ARTICLE_FACETS}
    # An over-long paragraph becomes parts of bounded size (indexer.splitting.long_paragraphs):
    # ids keep the logical paragraph's number, positions keep reading order.
    parts = [
        (index, part, len(texts), text)
        for index, pd in enumerate(drafts)
        for texts in [split_long_paragraph(pd.text)]
        for part, text in enumerate(texts)
    ]
    # Every part of a paragraph has the paragraph's origin: asked once per logical paragraph.
    origin_of = {index: text_origins.of(pd.text) for index, pd in enumerate(drafts)} if text_origins else {}
    for position, (index, part, count, text) in enumerate(parts):
        pd = drafts[index]
        blanks = find_placeholders(text)
        placeholders.extend(blanks)
        logical_id = f"{article.article_id}-{index:04d}"
        paragraphs.append(
            Paragraph(
                paragraph_id=part_id(logical_id, part),
                article_id=article.article_id,
                position=position,
                text=text,
                part_of=logical_id if count > 1 else "",
                origin=origin_of.get(index, "text"),
                section_path=pd.section_path,
                is_heading=pd.is_heading,
                topics=paragraph_topics(text, pd.section_path),
                quality=content_quality(text, pd.is_heading, len(blanks)),
                duplicate_key=paragraph_key(text),
                title=article.title,
                source_path=article.source_path,
                source_sha256=article.source_sha256,
                **copied,
            )
        )
    return paragraphs, placeholders


def build_article(
    draft: ArticleDraft,
    position: int,
    source: SourceFile,
    path: Path,
    root: Path,
    publish_date: str | None,
    text_origins: TextOrigins | None = None,
) -> tuple[Article, list[Paragraph]]:
    """Turn one drafted article into an enriched Article and its Paragraphs.

    ``text_origins`` tells which paragraphs were recognised from scanned pages (all typed without it).
    """
    drafts = split_paragraphs(draft.lines)
    texts = [d.text for d in drafts]
    title = draft.title or (texts[0][:20] + "…" if texts and len(texts[0]) > 20 else (texts[0] if texts else ""))
    values, origins = _infer_facets(draft.title, texts, path, root, shown_title=title)
    article_id = _article_id(source.path, position)
    article = _article_record(article_id, title, position, source, {**values, "publish_date": publish_date}, origins)
    if publish_date:
        article.origins["publish_date"] = "text"
    paragraphs, placeholders = _paragraph_records(article, drafts, text_origins)
    article.placeholders = list(dict.fromkeys(placeholders))
    article.topics = article_topics([p.topics for p in paragraphs if not p.is_heading])
    article.duplicate_key = article_key(
        [p.duplicate_key for p in paragraphs if p.quality >= QUALITY_SUBSTANTIAL],
        [p.duplicate_key for p in paragraphs],
    )
    return article, paragraphs


def parse_document(doc: RawDocument, path: Path, root: Path) -> ParsedFile:
    """Clean, split and enrich a document that has been read."""
    cleaned = clean_lines(doc.lines)
    lines = [
        piece
        for line in cleaned.lines
        for piece in (
            [line]
            if line.heading_level is not None or line.is_title
            else [CleanLine(text) for text in split_inline([line.text])]
        )
    ]
    publish_date = _publish_date(doc.publish_date or cleaned.captured.get("publish_date"))
    parsed = ParsedFile(doc.source)
    fallback = _fallback_title(doc, path, cleaned.captured.get("page_title", ""))
    text_origins = TextOrigins(doc.lines)
    for position, draft in enumerate(split_articles(lines, fallback)):
        if not draft.lines:
            continue
        article, paragraphs = build_article(draft, position, doc.source, path, root, publish_date, text_origins)
        parsed.articles.append(article)
        parsed.paragraphs.extend(paragraphs)
    return parsed


def parse_file(
    path: Path,
    root: Path | None = None,
    *,
    data: bytes | None = None,
    sha256: str | None = None,
    shown: str | None = None,
) -> ParsedFile:
    """Read and parse one file; raises UnreadableFile with a one-line reason.

    A caller that has the file's bytes (``data``, and their ``sha256``) or its
    display path (``shown``) already passes them, and they are not read, hashed
    or worked out again: an ingest reads and hashes every file once.
    """
    root = root or path.parent
    doc = reading.read_source(path, data, sha256)
    doc.source = dataclasses.replace(doc.source, path=shown or display_path(path))
    parsed = parse_document(doc, path, root)
    if not parsed.paragraphs:
        raise UnreadableFile("no text found after cleaning")
    return parsed
