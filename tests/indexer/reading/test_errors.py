"""Files that cannot be read fail with UnreadableFile and a specific, short reason."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from indexer.reading import UnreadableFile, read_source
from tests.indexer.reading.variants import write_pdf_without_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def reason(path: Path) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_source(path)
    assert str(caught.value) == caught.value.reason
    assert "\n" not in caught.value.reason
    return caught.value.reason


def test_corrupt_docx(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(os.urandom(4096))
    assert reason(path) == "corrupt .docx: not a zip archive"


def test_zero_byte_file(tmp_path: Path) -> None:
    for name in ("empty.txt", "empty.docx", "empty.pdf"):
        (tmp_path / name).touch()
        assert reason(tmp_path / name) == "empty file"


def test_binary_file_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    assert reason(path) == "binary content in a .txt file"


def test_binary_without_nul_bytes_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(1, 32)) * 200)
    assert reason(path) == "binary content in a .txt file"


def test_doc_without_converter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    path = tmp_path / "old.doc"
    path.write_bytes(OLE_MAGIC + bytes(4096))
    assert reason(path) == "unsupported: install antiword or LibreOffice to read .doc"
    wps = tmp_path / "old.wps"
    wps.write_bytes(OLE_MAGIC + bytes(4096))
    assert reason(wps) == "unsupported: install antiword or LibreOffice to read .wps"


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.xyz"
    path.write_text("工会", encoding="utf-8")
    assert reason(path) == "unknown format .xyz"
    bare = tmp_path / "README"
    bare.write_text("工会", encoding="utf-8")
    assert reason(bare) == "unknown format (no file extension)"


def test_missing_file(tmp_path: Path) -> None:
    assert reason(tmp_path / "gone.txt").startswith("cannot open file")


def test_scanned_pdf(tmp_path: Path) -> None:
    assert reason(write_pdf_without_text(tmp_path / "scan.pdf")) == "no text layer (scanned PDF?)"


def test_truncated_pdf(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    assert reason(path).startswith(("corrupt .pdf", "corrupt or unsupported .pdf"))


def test_pdf_suffix_without_pdf_content(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("not a pdf", encoding="utf-8")
    assert reason(path) == "corrupt .pdf: no PDF header"


def test_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * (51 * 1024 * 1024))
    path = tmp_path / "bomb.docx"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 1024 * 1024
    assert reason(path) == "too large: word/document.xml expands to 51 MB (limit 50 MB)"


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    docx_path = tmp_path / "archive.docx"
    docx_path.write_bytes(buffer.getvalue())
    assert reason(docx_path) == "corrupt .docx: not a Word document package"
    txt_path = tmp_path / "archive.txt"
    txt_path.write_bytes(buffer.getvalue())
    assert reason(txt_path) == "unsupported: this .txt is a zip archive, not a Word document"


def test_password_protected_docx(tmp_path: Path) -> None:
    path = tmp_path / "secret.docx"
    path.write_bytes(OLE_MAGIC + bytes(512) + "EncryptedPackage".encode("utf-16-le") + bytes(512))
    assert reason(path) == "password-protected Word file"


def test_unexpected_reader_errors_are_wrapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import indexer.reading as reading

    def explode(data: bytes, fmt: str = "txt") -> None:
        raise KeyError("boom")

    monkeypatch.setattr(reading, "read_text", explode)
    path = tmp_path / "ok.txt"
    path.write_text("工会", encoding="utf-8")
    assert reason(path) == "corrupt or unsupported .txt (KeyError)"


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_truncated_files_never_escape_as_other_exceptions(
    variants: dict[str, Path], tmp_path: Path, fraction: float
) -> None:
    for name, path in variants.items():
        data = path.read_bytes()
        cut = tmp_path / f"cut-{fraction}-{path.name}"
        cut.write_bytes(data[: int(len(data) * fraction)])
        try:
            read_source(cut)
        except UnreadableFile as exc:
            assert exc.reason and "\n" not in exc.reason, name
