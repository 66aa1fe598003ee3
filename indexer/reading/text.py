"""Plain-text files (.txt, .text, .md): decode, then one RawLine per line.

Markdown is read as the plain text it is; its ``#`` marks stay in the line for the
cleaner to interpret, since only styled formats carry a reliable heading level.
"""

from __future__ import annotations

from indexer.reading.document import Extracted, UnreadableFile, lines_from_text
from indexer.reading.encoding import BinaryContent, decode_text


def read_text(data: bytes, fmt: str = "txt") -> Extracted:
    """Read the bytes of a plain-text file; ``fmt`` only words the error message."""
    try:
        text, encoding = decode_text(data)
    except BinaryContent as exc:
        raise UnreadableFile(f"binary content in a .{fmt} file") from exc
    return Extracted(lines=lines_from_text(text), encoding=encoding)
