"""A minimal Word 97–2003 (.doc) writer, so that .doc reading can be tested for real.

No library here writes the binary .doc format and LibreOffice is too heavy to install
for tests, so this writes the smallest file Word's format allows: an OLE2 compound
file with a WordDocument stream (FIB + Unicode text) and a 1Table stream holding one
piece-table entry. No styles, fonts or formatting: readers fall back to defaults.
Only for tests; streams are kept ≥ 4096 bytes so no mini stream is needed.
"""

from __future__ import annotations

import struct
from pathlib import Path

SECTOR = 512
FREE, END_OF_CHAIN, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
TEXT_OFFSET = 0x800  # where the text starts in the WordDocument stream, after the FIB
MIN_STREAM = 4096  # below this a stream would live in the mini stream


def write_doc(text: str, path: Path) -> Path:
    """Write ``text`` (paragraphs separated by "\\n") as a Word 97 .doc file."""
    paragraphs = text.rstrip("\n").split("\n")
    body = "\r".join(paragraphs) + "\r"  # Word ends every paragraph with CR
    encoded = body.encode("utf-16-le")
    ccp_text = len(body)

    clx = bytearray(b"\x02")  # Pcdt: one piece of Unicode text at TEXT_OFFSET
    plc = struct.pack("<II", 0, ccp_text) + struct.pack("<HIH", 0, TEXT_OFFSET, 0)
    clx += struct.pack("<I", len(plc)) + plc
    # A stylesheet with one empty style slot: readers (antiword) parse the STSHI header
    # unconditionally, so an absent stylesheet makes them read past a buffer.
    stshi = struct.pack("<HHHHHH3H", 1, 10, 1, 0x5B, 0x0F, 0, 0, 0, 0)
    stylesheet = struct.pack("<H", len(stshi)) + stshi + struct.pack("<H", 0)
    table = _pad(bytes(clx) + stylesheet)

    fib = bytearray(TEXT_OFFSET)
    struct.pack_into("<HH", fib, 0x00, 0xA5EC, 0x00C1)  # wIdent, nFib (Word 97)
    struct.pack_into("<H", fib, 0x06, 0x0804)  # lid: Chinese (PRC)
    struct.pack_into("<H", fib, 0x0A, (1 << 9) | (1 << 12))  # fWhichTblStm=1Table, fExtChar
    struct.pack_into("<H", fib, 0x0C, 0x00BF)  # nFibBack
    struct.pack_into("<II", fib, 0x18, TEXT_OFFSET, TEXT_OFFSET + len(encoded))  # fcMin, fcMac
    struct.pack_into("<H", fib, 0x20, 14)  # csw
    struct.pack_into("<H", fib, 0x3E, 22)  # cslw
    struct.pack_into("<I", fib, 0x4C, ccp_text)  # ccpText
    struct.pack_into("<H", fib, 0x98, 0x5D)  # cbRgFcLcb (Word 97)
    struct.pack_into("<II", fib, 0xA2, len(clx), len(stylesheet))  # fcStshf, lcbStshf
    struct.pack_into("<II", fib, 0x1A2, 0, len(clx))  # fcClx, lcbClx (in the table stream)
    word_document = bytearray(_pad(bytes(fib) + encoded))
    struct.pack_into("<I", word_document, 0x40, len(word_document))  # cbMac

    path.write_bytes(_compound_file([("WordDocument", bytes(word_document)), ("1Table", table)]))
    return path


def _pad(data: bytes) -> bytes:
    size = max(MIN_STREAM, -(-len(data) // SECTOR) * SECTOR)
    return data + bytes(size - len(data))


def _compound_file(streams: list[tuple[str, bytes]]) -> bytes:
    """An OLE2 v3 file: sector 0 = FAT, sector 1 = directory, then each stream."""
    fat = [FAT_SECTOR, END_OF_CHAIN]
    starts = []
    for _, data in streams:
        first = len(fat)
        count = len(data) // SECTOR
        starts.append(first)
        fat.extend(range(first + 1, first + count))
        fat.append(END_OF_CHAIN)
    if len(fat) > SECTOR // 4:
        raise ValueError("text too long for this one-FAT-sector writer")
    fat_sector = struct.pack(f"<{SECTOR // 4}I", *(fat + [FREE] * (SECTOR // 4 - len(fat))))

    # Directory: root (0), WordDocument (1) as root's child, 1Table (2) as its left sibling.
    entries = [
        _dir_entry("Root Entry", 5, left=NO_STREAM, right=NO_STREAM, child=1, start=END_OF_CHAIN, size=0),
        _dir_entry(
            streams[0][0], 2, left=2, right=NO_STREAM, child=NO_STREAM, start=starts[0], size=len(streams[0][1])
        ),
        _dir_entry(
            streams[1][0], 2, left=NO_STREAM, right=NO_STREAM, child=NO_STREAM, start=starts[1], size=len(streams[1][1])
        ),
    ]
    directory = b"".join(entries) + bytes(SECTOR - 128 * len(entries))

    header = bytearray(SECTOR)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x003E, 0x0003, 0xFFFE, 9, 6)  # versions, byte order, shifts
    struct.pack_into("<I", header, 0x2C, 1)  # FAT sectors
    struct.pack_into("<I", header, 0x30, 1)  # first directory sector
    struct.pack_into("<I", header, 0x38, MIN_STREAM)  # mini stream cutoff
    struct.pack_into("<IIII", header, 0x3C, END_OF_CHAIN, 0, END_OF_CHAIN, 0)  # no mini FAT, no DIFAT
    struct.pack_into("<109I", header, 0x4C, 0, *([FREE] * 108))
    return bytes(header) + fat_sector + directory + b"".join(data for _, data in streams)


def _dir_entry(name: str, kind: int, *, left: int, right: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    entry = bytearray(128)
    entry[: len(encoded)] = encoded
    struct.pack_into("<HBB", entry, 0x40, len(encoded), kind, 1)  # name length, type, black
    struct.pack_into("<III", entry, 0x44, left, right, child)
    struct.pack_into("<II", entry, 0x74, start, size)
    return bytes(entry)
