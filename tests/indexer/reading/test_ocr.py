"""Scanned PDFs: OCR'd when Tesseract is installed (skipped otherwise), refused with the reason when off."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from indexer.reading import UnreadableFile, ocr, read_source

SENTENCE = "镇总工会走访慰问困难职工86户发放慰问金12万元"
needs_ocr = pytest.mark.skipif(ocr.why_not() is not None, reason=f"OCR unavailable: {ocr.why_not()}")


def scanned_pdf(path: Path, stamp: str | None = None) -> Path:
    """A page of large printed text saved as an image-only PDF, with an optional typed stamp."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font_file = next(Path("/usr/share/fonts").rglob("NotoSansCJK-Regular.ttc"), None)
    if font_file is None:
        pytest.skip("no CJK font to draw the scan with (fonts-noto-cjk)")
    image = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_file), 56)
    draw.text((150, 300), SENTENCE[:12], font=font, fill=0)
    draw.text((150, 400), SENTENCE[12:], font=font, fill=0)
    png = path.with_suffix(".png")
    image.save(png)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(str(png)), 0, 0, *A4)
    if stamp:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        pdf.setFont("STSong-Light", 10)
        pdf.drawString(500, 30, stamp)
    pdf.save()
    return path


@needs_ocr
@pytest.mark.parametrize("stamp", [None, "第1页"])
def test_scan_is_recognised_and_marked(tmp_path: Path, stamp: str | None) -> None:
    document = read_source(scanned_pdf(tmp_path / "scan.pdf", stamp))
    text = "".join(line.text for line in document.lines)
    assert all(line.origin == "ocr" for line in document.lines if line.text.strip())
    # Tesseract's Chinese model misreads a character now and then (慰 → 奈): most must be right,
    # and a phrase mixing Chinese and digits must come out whole, so that search finds it.
    assert difflib.SequenceMatcher(None, text, SENTENCE).ratio() >= 0.85
    assert "困难职工86户" in text


def test_ocr_switched_off_gives_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("fc-list") is None and not Path("/usr/share/fonts").exists():
        pytest.skip("no fonts")
    monkeypatch.setenv(ocr.OCR_ENV, "0")
    with pytest.raises(UnreadableFile) as caught:
        read_source(scanned_pdf(tmp_path / "scan.pdf"))
    assert caught.value.reason == "no text layer (scanned PDF?); OCR is switched off (INDEXER_OCR=0)"


def test_ocr_punctuation_comes_back_full_width_in_chinese_text() -> None:
    # chi_sim writes "如下:" and "(一)"; the typed summary has "如下：" and "（一）" (+1.2 points of accuracy).
    assert ocr.chinese_punctuation("现将全年工作总结如下:(一)扎实开展活动,成效明显!") == (
        "现将全年工作总结如下：（一）扎实开展活动，成效明显！"
    )
    # Between digits and in Latin text, ASCII punctuation is what was printed.
    assert ocr.chinese_punctuation("上午8:30召开,共1,000人") == "上午8:30召开，共1,000人"
    assert ocr.chinese_punctuation("Hello, world: (ok)") == "Hello, world: (ok)"
