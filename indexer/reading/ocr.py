"""OCR for scanned pages: render each page, recognise its Chinese text, return paragraphs.

Engine: Tesseract (Debian's tesseract-ocr with tesseract-ocr-chi-sim), run as a
command on each page rendered by pdftoppm (poppler-utils). Chosen over RapidOCR
(rapidocr-onnxruntime, models in the wheel) after comparing both on pages rendered
here: see bench/RESULTS.md, "Formats". Both need nothing downloaded at run time.

Switch it off with ``INDEXER_OCR=0`` (a scanned PDF is then skipped with its reason).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from indexer.reading.document import UnreadableFile
from indexer.reading.office import run_tool

#: Environment switch: "0" turns OCR off.
OCR_ENV = "INDEXER_OCR"
#: Rendering resolution: 300 dpi is where Tesseract's Chinese model is most accurate.
DPI = 300
PAGE_TIMEOUT_S = 120
LANGUAGES = "chi_sim"

_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u9fff\uff00-\uffef])")
_CJK = re.compile(r"[\u3400-\u9fff]")
#: Tesseract's chi_sim model writes the full-width punctuation of Chinese text as ASCII
#: ("如下:", "(一)"); put back the full-width forms the typed text has. Not between digits
#: ("8:30", "1,000") and only in lines at least a third Chinese, where ASCII punctuation is a misreading.
_ASCII_PUNCT = re.compile(r"(?<!\d)[,:;?!]|[,:;?!](?!\d)|\(([^()]{0,40})\)")
_FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


def enabled() -> bool:
    """OCR is wanted (``INDEXER_OCR`` is not "0") and its tools are installed."""
    return why_not() is None


def why_not() -> str | None:
    """Why scanned pages cannot be read here, in a few words; None when they can."""
    if os.environ.get(OCR_ENV, "1") == "0":
        return "OCR is switched off (INDEXER_OCR=0)"
    if shutil.which("tesseract") is None or shutil.which("pdftoppm") is None:
        return "OCR not installed (tesseract-ocr, tesseract-ocr-chi-sim, poppler-utils)"
    return None


def recognise_pdf_pages(data: bytes, pages: list[int]) -> dict[int, list[str]]:
    """The paragraphs recognised on each of ``pages`` (0-based) of a PDF."""
    out: dict[int, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="indexer-ocr-") as tmp:
        pdf = Path(tmp) / "input.pdf"
        pdf.write_bytes(data)
        for index in pages:
            image = Path(tmp) / f"page{index}"
            code, _, _err = run_tool(
                [
                    "pdftoppm",
                    "-r",
                    str(DPI),
                    "-gray",
                    "-png",
                    "-singlefile",
                    "-f",
                    str(index + 1),
                    "-l",
                    str(index + 1),
                    str(pdf),
                    str(image),
                ],
                PAGE_TIMEOUT_S,
                "pdftoppm",
            )
            if code != 0:
                raise UnreadableFile(f"cannot render page {index + 1} for OCR")
            out[index] = recognise_image(image.with_suffix(".png"))
    return out


def recognise_image(image: Path) -> list[str]:
    """The paragraphs Tesseract reads in one page image (spaces between CJK characters removed)."""
    # --psm 3: automatic page segmentation; blank lines in the output separate its blocks.
    code, out, _err = run_tool(
        ["tesseract", str(image), "-", "-l", LANGUAGES, "--psm", "3"], PAGE_TIMEOUT_S, "tesseract"
    )
    if code != 0:
        raise UnreadableFile("tesseract failed on a scanned page")
    text = out.decode("utf-8", errors="replace")
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [_CJK_SPACE.sub("", line).strip() for line in block.splitlines()]
        joined = "".join(line for line in lines if line)
        if joined:
            paragraphs.append(chinese_punctuation(joined))
    return paragraphs


def chinese_punctuation(text: str) -> str:
    """``text`` with ASCII punctuation OCR put into Chinese prose turned back into full-width forms."""
    if len(_CJK.findall(text)) * 3 < len(text.replace(" ", "")):
        return text  # mostly Latin or digits: ASCII punctuation may well be right

    def full(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return f"（{match.group(1)}）"
        return _FULL_WIDTH[match.group()]

    return _ASCII_PUNCT.sub(full, text)
