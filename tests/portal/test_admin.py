"""Admin actions end to end: upload, re-ingest, corrections kept as sidecar rows, delete to the trash.

Each test gets its own archive and a real embedded index built from it
(tests/portal/adminkit.py); the portal reads the index its own writes go to.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from indexer.ingest import run_ingest
from portal.uploads import safe_filename, safe_folder
from tests.portal.adminkit import SAMPLE_PATH, Site, build_site
from tests.portal.helpers import soup

UPLOAD_TEXT = "东山镇总工会2024年上半年工作总结\n\n一、开展送温暖活动\n\n今年走访慰问困难职工三十八户，晨星帮扶基金发放慰问金六万元。\n"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A logged-in admin over a one-file archive."""
    built = build_site(tmp_path)
    yield built
    built.close()


def _docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(site: Site, *files: tuple[bytes, str], folder: str = "", token: str | None = None):
    data = {
        "files": [(io.BytesIO(content), name) for content, name in files],
        "folder": folder,
        "csrf_token": token or site.token(),
    }
    return site.client.post("/admin/upload", data=data, content_type="multipart/form-data")


def _results(response) -> list[str]:
    return [li.get_text(" ", strip=True) for li in soup(response).select(".result-list li")]


def _archive_files(site: Site) -> list[str]:
    return sorted(
        p.relative_to(site.archive).as_posix()
        for p in site.archive.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(site.archive).parts)
    )


def _hits(site: Site, query: str) -> list[dict]:
    return site.client.get(f"/api/search?q={query}&collapse=0&size=100").get_json()["hits"]


# --------------------------------------------------------------------------- upload


def test_upload_is_kept_in_the_archive_and_searchable_at_once(site: Site) -> None:
    content = _docx_bytes("东山镇总工会2024年上半年工作总结", "今年晨星帮扶基金走访慰问困难职工三十八户。")
    response = _upload(site, (content, "东山镇工会总结.docx"), folder="东山镇/2024年上半年")
    assert response.status_code == 200, _results(response)
    assert "已保存并导入" in _results(response)[0]
    stored = site.archive / "东山镇" / "2024年上半年" / "东山镇工会总结.docx"
    assert stored.read_bytes() == content
    hits = _hits(site, "晨星帮扶基金")
    assert len(hits) == 1
    # The folders name the township and the period, exactly as for a file put there by hand.
    assert (hits[0]["township"], hits[0]["period"], hits[0]["year"]) == ("东山镇", "上半年", 2024)


def test_the_same_file_twice_is_not_stored_twice(site: Site) -> None:
    content = UPLOAD_TEXT.encode("utf-8")
    assert _upload(site, (content, "第一次.txt")).status_code == 200
    again = _upload(site, (content, "换个名字.txt"))
    assert again.status_code == 409
    assert "该文件已在档案中：第一次.txt，未重复保存" in _results(again)[0]
    # Also a file that was in the archive before any upload.
    existing = (site.archive / SAMPLE_PATH).read_bytes()
    assert "该文件已在档案中：" + SAMPLE_PATH in _results(_upload(site, (existing, "x.txt")))[0]
    assert _archive_files(site) == sorted([SAMPLE_PATH, "第一次.txt"])
    assert len(_hits(site, "晨星帮扶基金")) == 1


def test_a_taken_name_gets_a_number_and_nothing_is_overwritten(site: Site) -> None:
    first, second = UPLOAD_TEXT.encode(), UPLOAD_TEXT.replace("三十八", "四十").encode()
    assert _upload(site, (first, "总结.txt")).status_code == 200
    assert _upload(site, (second, "总结.txt")).status_code == 200
    assert (site.archive / "总结.txt").read_bytes() == first
    assert (site.archive / "总结 (2).txt").read_bytes() == second


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../../etc/cron.d/evil.txt", "evil.txt"),
        (".hidden.txt", "hidden.txt"),
        ("..", "未命名.txt"),
        ("a\x00b\u202etxt.exe", "a_b_txt.txt"),
        ("=cmd|' -C calc'!A0.txt", "cmd_' -C calc'!A0.txt"),
        ("总结[2023]*?.txt", "总结_2023___.txt"),
        ("CON.txt", "_CON.txt"),
        ("工" * 120 + ".txt", "工" * 65 + ".txt"),  # 195 + 4 bytes: within the 200-byte cap
    ],
)
def test_file_names_are_sanitised_but_keep_chinese(site: Site, sent: str, kept: str) -> None:
    response = _upload(site, (UPLOAD_TEXT.encode(), sent))
    assert response.status_code == 200, _results(response)
    assert _archive_files(site) == sorted([SAMPLE_PATH, kept])
    assert not any(Path("/etc/cron.d").glob("evil*"))


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        # Old browsers send the whole client path (multipart cannot carry raw backslashes in tests).
        ("..\\..\\windows\\system32\\x.doc", "x.docx"),
        ("C:\\Users\\王\\桌面\\鹿苑镇2023年总结.doc", "鹿苑镇2023年总结.docx"),
        ("报告.final.pdf", "报告.final.docx"),
        ("\u202egpj.exe", "gpj.docx"),
        ("  .  ", "未命名.docx"),
    ],
)
def test_safe_filename_on_client_paths(sent: str, kept: str) -> None:
    assert safe_filename(sent, ".docx") == kept
    assert safe_folder("东山镇\\..\\2023/./.git") == ("东山镇", "2023", "git")


def test_a_folder_cannot_climb_out_of_the_archive(site: Site) -> None:
    response = _upload(site, (UPLOAD_TEXT.encode(), "a.txt"), folder="../../出去/.trash/./东山镇")
    assert response.status_code == 200
    assert _archive_files(site) == sorted([SAMPLE_PATH, "出去/trash/东山镇/a.txt"])


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 40, "总结.txt", "不支持的文件类型"),
        (b"MZ\x90\x00\x03" + bytes(range(256)) * 40, "总结.docx", "不支持的文件类型"),
        (b"", "空.txt", "文件是空的"),
    ],
)
def test_files_are_judged_by_their_content_not_their_name(site: Site, content: bytes, name: str, reason: str) -> None:
    response = _upload(site, (content, name))
    assert response.status_code == 400
    assert reason in _results(response)[0]
    assert _archive_files(site) == [SAMPLE_PATH]


def test_a_plain_zip_and_a_macro_document_are_refused(site: Site) -> None:
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "hello")
    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx_bytes("宏文档正文")), "r") as source, zipfile.ZipFile(macro, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake vba")
    response = _upload(site, (plain.getvalue(), "总结.docx"), (macro.getvalue(), "宏.docx"))
    assert response.status_code == 400
    results = _results(response)
    assert "不是 Word 文档" in results[0] and "含宏" in results[1]
    assert _archive_files(site) == [SAMPLE_PATH]


def test_a_misnamed_file_gets_the_extension_its_content_deserves(site: Site) -> None:
    page = "<!DOCTYPE html><html><head><title>西山镇工会总结</title></head><body><p>西山镇晨光计划帮扶职工十户。</p></body></html>"
    response = _upload(site, (page.encode(), "西山镇工会总结.pdf"), (_docx_bytes("晨曦计划正文段落。"), "文档.txt"))
    assert response.status_code == 200, _results(response)
    assert _archive_files(site) == sorted([SAMPLE_PATH, "文档.docx", "西山镇工会总结.html"])
    assert len(_hits(site, "晨光计划")) == 1


def test_an_unreadable_document_is_refused_with_the_reason(site: Site) -> None:
    truncated = _docx_bytes("正文")[:-200]  # the central directory is cut off
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx_bytes("正文")), "r") as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            body = b"<w:document><unclosed" if info.filename == "word/document.xml" else source.read(info.filename)
            target.writestr(info.filename, body)
    response = _upload(site, (truncated, "截断.docx"), (broken.getvalue(), "坏.docx"))
    assert response.status_code == 400
    first, second = _results(response)
    assert "无法读取此文件" in first and "损坏" in first
    assert "无法读取此文件：corrupt or unsupported .docx" in second
    assert _archive_files(site) == [SAMPLE_PATH]


def test_an_upload_over_the_limit_is_a_413_with_the_reason(tmp_path: Path) -> None:
    site = build_site(tmp_path, UPLOAD_MAX_BYTES=1024 * 1024)
    try:
        response = _upload(site, (b"a" * (2 * 1024 * 1024), "大.txt"))
        assert response.status_code == 413
        assert "一次最多上传 1 MB" in soup(response).select_one(".error-message").get_text()
        assert response.headers["X-Frame-Options"] == "DENY"
        assert _archive_files(site) == [SAMPLE_PATH]
    finally:
        site.close()


def test_other_posts_keep_the_small_limit(site: Site) -> None:
    form = {"p": ["x" * 1000] * 300, "format": "txt", "csrf_token": site.token("/basket")}
    response = site.client.post("/basket/export", data=form)
    assert response.status_code == 413
    assert "一次最多 256 KB" in soup(response).select_one(".error-message").get_text()


def test_uploads_need_the_csrf_token_and_our_origin(site: Site) -> None:
    data = {"files": [(io.BytesIO(UPLOAD_TEXT.encode()), "a.txt")]}
    assert site.client.post("/admin/upload", data=data, content_type="multipart/form-data").status_code == 400
    data = {"files": [(io.BytesIO(UPLOAD_TEXT.encode()), "a.txt")], "csrf_token": site.token()}
    cross = site.client.post(
        "/admin/upload", data=data, content_type="multipart/form-data", headers={"Origin": "http://evil.example"}
    )
    assert cross.status_code == 403
    assert _archive_files(site) == [SAMPLE_PATH]


# --------------------------------------------------------------------------- corrections


def _article_of(site: Site, query: str) -> dict:
    hits = _hits(site, query)
    assert hits, query
    return hits[0]


def _metadata_rows(site: Site) -> list[dict[str, str]]:
    with (site.archive / "metadata.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_correction_is_a_sidecar_row_shown_at_once_and_kept_by_a_rebuild(site: Site) -> None:
    hit = _article_of(site, "困难职工")
    article = hit["article_id"]
    form = soup(site.client.get(f"/admin/articles/{article}/edit")).select_one('form[action$="/edit"]')
    assert form.select_one("input[name=township]")["value"] == "鹿苑镇"
    response = site.client.post(
        f"/admin/articles/{article}/edit",
        data={
            "township": "西山镇",
            "org_level": "企业厂矿",
            "org_name": "",
            "period": "上半年",  # unchanged and inferred: no override is written for it
            "year": "2021",
            "csrf_token": form.select_one("input[name=csrf_token]")["value"],
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/articles/{article}"
    # Stored as a sidecar row keyed by the path in the archive and the article title.
    rows = _metadata_rows(site)
    assert rows == [
        {
            "file": SAMPLE_PATH,
            "title": hit["title"],
            "doc_type": "",  # a column per correctable facet of the registry
            "org_type": "",
            "org_level": "企业厂矿",
            "township": "西山镇",
            "org_name": "",
            "period": "",
            "year": "2021",
        }
    ]
    shown = site.client.get(f"/api/articles/{article}").get_json()
    assert (shown["township"], shown["org_level"], shown["year"]) == ("西山镇", "企业厂矿", 2021)
    assert shown["origins"]["township"] == "sidecar"
    page = soup(site.client.get(f"/articles/{article}"))
    assert "已保存修改" in page.select_one(".flashes").get_text()
    # Other articles of the same file keep their own values (the row names this title only).
    others = [h for h in _hits(site, "工会") if h["article_id"] != article]
    assert others and all(h["township"] == "鹿苑镇" for h in others)
    # A rebuild from the command line keeps the correction.
    assert run_ingest([str(site.archive)], index_dir=str(site.index), rebuild=True, workers=1) == 0
    again = site.client.get(f"/api/articles/{article}").get_json()
    assert (again["township"], again["org_level"], again["year"]) == ("西山镇", "企业厂矿", 2021)


def test_a_correction_wins_over_a_folder_wide_row(site: Site) -> None:
    (site.archive / "鹿苑镇" / "metadata.csv").write_text(
        "file,title,township,org_level\n*.txt,,鹿苑镇,乡镇街道\n", encoding="utf-8"
    )
    hit = _article_of(site, "困难职工")
    token = site.token(f"/admin/articles/{hit['article_id']}/edit")
    site.client.post(
        f"/admin/articles/{hit['article_id']}/edit",
        data={
            "township": "东山镇",
            "org_level": "乡镇街道",
            "period": "",
            "year": "",
            "org_name": "",
            "csrf_token": token,
        },
    )
    assert site.client.get(f"/api/articles/{hit['article_id']}").get_json()["township"] == "东山镇"


def test_saving_again_updates_the_row_and_clearing_an_override_restores_inference(site: Site) -> None:
    hit = _article_of(site, "困难职工")
    url = f"/admin/articles/{hit['article_id']}/edit"
    base = {"org_level": "", "org_name": "", "period": "", "year": ""}
    site.client.post(url, data={**base, "township": "西山镇", "csrf_token": site.token(url)})
    site.client.post(url, data={**base, "township": "南山镇", "csrf_token": site.token(url)})
    assert [r["township"] for r in _metadata_rows(site)] == ["南山镇"]
    site.client.post(url, data={**base, "township": "", "csrf_token": site.token(url)})
    assert _metadata_rows(site) == []  # no override left: the row goes
    assert site.client.get(f"/api/articles/{hit['article_id']}").get_json()["township"] == "鹿苑镇"


def test_the_genre_can_be_corrected_from_the_form_and_then_filtered_by(site: Site) -> None:
    hit = _article_of(site, "困难职工")
    url = f"/admin/articles/{hit['article_id']}/edit"
    form = soup(site.client.get(url))
    # Every value of the vocabulary is offered, in the registry's order, after "按自动识别".
    options = [o["value"] for o in form.select("select[name=doc_type] option")]
    assert options == ["", "总结", "活动总结", "计划", "讲话", "新闻", "其他"]
    site.client.post(url, data={"doc_type": "讲话", "org_type": "妇联", "csrf_token": site.token(url)})
    shown = site.client.get(f"/api/articles/{hit['article_id']}").get_json()
    assert (shown["doc_type"], shown["org_type"], shown["origins"]["doc_type"]) == ("讲话", "妇联", "sidecar")
    speeches = site.client.get("/api/search?doc_type=讲话&org_type=妇联&size=100").get_json()
    assert speeches["total"] > 0 and {h["article_id"] for h in speeches["hits"]} == {hit["article_id"]}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("org_level", "随便写", "单位层级只能是"),
        ("doc_type", "年鉴", "文档类型只能是：总结、活动总结、计划、讲话、新闻、其他"),
        ("org_type", "协会", "单位类型只能是"),
        ("period", "第三季度", "时段只能是"),
        ("year", "20x3", "年份应为"),
        ("township", '=HYPERLINK("http://evil")', "不能以 = + - @ 开头"),
        ("org_name", "工" * 61, "过长"),
        ("township", "东山\x00镇", "控制字符"),
    ],
)
def test_bad_corrections_are_a_400_with_the_reason(site: Site, field: str, value: str, reason: str) -> None:
    hit = _article_of(site, "困难职工")
    url = f"/admin/articles/{hit['article_id']}/edit"
    data = {"org_level": "", "org_name": "", "period": "", "year": "", "township": "", field: value}
    response = site.client.post(url, data={**data, "csrf_token": site.token(url)})
    assert response.status_code == 400
    assert reason in soup(response).select_one(".form-error").get_text()
    assert not (site.archive / "metadata.csv").exists()


def test_articles_outside_the_archive_cannot_be_changed(site: Site, tmp_path: Path, samples_dir: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.txt").write_text(UPLOAD_TEXT, encoding="utf-8")
    assert run_ingest([str(outside)], index_dir=str(site.index), workers=1) == 0
    article = _article_of(site, "晨星帮扶基金")["article_id"]
    for url in (f"/admin/articles/{article}/edit", f"/admin/articles/{article}/delete"):
        assert site.client.get(url).status_code == 409
        assert site.client.post(url, data={"csrf_token": site.token()}).status_code == 409
    assert (outside / "x.txt").exists()


# --------------------------------------------------------------------------- delete


def test_delete_moves_the_file_to_the_trash_and_a_reingest_does_not_bring_it_back(site: Site) -> None:
    assert _upload(site, (UPLOAD_TEXT.encode(), "要删除的总结.txt"), folder="东山镇").status_code == 200
    article = _article_of(site, "晨星帮扶基金")["article_id"]
    confirm = soup(site.client.get(f"/admin/articles/{article}/delete"))
    assert "东山镇/要删除的总结.txt" in confirm.get_text()
    token = confirm.select_one("form input[name=csrf_token]")["value"]
    response = site.client.post(f"/admin/articles/{article}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert not (site.archive / "东山镇" / "要删除的总结.txt").exists()
    trashed = list((site.archive / ".trash").rglob("要删除的总结.txt"))
    assert len(trashed) == 1 and trashed[0].read_text(encoding="utf-8") == UPLOAD_TEXT
    assert trashed[0].parent.name == "东山镇"
    assert _hits(site, "晨星帮扶基金") == []
    assert site.client.get(f"/articles/{article}").status_code == 404
    # Neither the command line nor the portal's re-ingest brings it back.
    assert run_ingest([str(site.archive)], index_dir=str(site.index), workers=1) == 0
    assert _hits(site, "晨星帮扶基金") == []
    assert _hits(site, "困难职工")  # the rest of the archive is untouched


# --------------------------------------------------------------------------- re-ingest


def test_reingest_runs_the_indexer_in_the_background_and_reports(site: Site) -> None:
    (site.archive / "后来放进来的.txt").write_text(UPLOAD_TEXT.replace("晨星", "启明星"), encoding="utf-8")
    response = site.client.post("/admin/reingest", data={"csrf_token": site.token()})
    assert response.status_code == 302
    deadline = time.monotonic() + 120
    page = ""
    while time.monotonic() < deadline:
        page = site.client.get("/admin/").get_data(as_text=True)
        if "成功" in page or "出错" in page:
            break
        time.sleep(0.5)
    assert "成功" in page, page[-2000:]
    assert "读取文件 1 个" in page and "未变化跳过 1 个" in page
    assert len(_hits(site, "启明星帮扶基金")) == 1


def test_admin_pages_are_never_cached(site: Site) -> None:
    assert site.client.get("/admin/").headers["Cache-Control"] == "no-store"
    assert site.app.test_client().get("/login").headers["Cache-Control"] == "no-store"


def test_without_an_archive_folder_admin_says_so(tmp_path: Path, engine) -> None:
    from tests.portal.adminkit import client_of, login, portal

    client = client_of(portal(tmp_path, ENGINE=engine))
    login(client)
    page = client.get("/admin/")
    assert page.status_code == 200 and "未配置档案文件夹（ARCHIVE_DIR）" in page.get_data(as_text=True)


def test_markup_in_an_uploaded_document_shows_as_text_on_admin_pages(site: Site) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>&lt;script&gt;alert(1)&lt;/script&gt;镇工会总结</title></head>"
        "<body><h1>&lt;script&gt;alert(1)&lt;/script&gt;镇工会总结</h1>"
        "<p>&lt;img src=x onerror=alert(2)&gt;晨露计划帮扶职工二十户。</p></body></html>"
    )
    assert _upload(site, (page.encode(), "<b>标记</b>.html")).status_code == 200
    hit = _article_of(site, "晨露计划")
    assert "<script>" in hit["title"] and "<img" in hit["text"]  # stored exactly as written
    for url in (
        f"/articles/{hit['article_id']}",
        f"/admin/articles/{hit['article_id']}/edit",
        f"/admin/articles/{hit['article_id']}/delete",
        "/?q=晨露计划",
        "/admin/",
    ):
        html = site.client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
    token = site.token(f"/admin/articles/{hit['article_id']}/delete")
    site.client.post(f"/admin/articles/{hit['article_id']}/delete", data={"csrf_token": token})
    flashed = site.client.get("/").get_data(as_text=True)
    assert "已删除《&lt;script&gt;alert(1)&lt;/script&gt;镇工会总结》" in flashed


def test_a_file_gone_from_the_archive_cannot_be_corrected_but_can_be_deleted(site: Site) -> None:
    hit = _article_of(site, "困难职工")
    (site.archive / SAMPLE_PATH).unlink()
    url = f"/admin/articles/{hit['article_id']}"
    assert site.client.get(f"{url}/edit").status_code == 409
    response = site.client.post(f"{url}/delete", data={"csrf_token": site.token()})
    assert response.status_code == 302
    assert _hits(site, "困难职工") == []


def test_an_archive_without_hard_links_still_gets_the_file_and_never_overwrites(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: object, target: object) -> None:
        raise OSError(18, "Invalid cross-device link")  # EXDEV, as on a share or another file system

    monkeypatch.setattr("portal.uploads.os.link", no_links)
    first, second = UPLOAD_TEXT.encode(), UPLOAD_TEXT.replace("三十八", "五十").encode()
    assert _upload(site, (first, "共享盘.txt")).status_code == 200
    assert _upload(site, (second, "共享盘.txt")).status_code == 200
    assert (site.archive / "共享盘.txt").read_bytes() == first
    assert (site.archive / "共享盘 (2).txt").read_bytes() == second
    assert not list((site.archive / ".portal" / "incoming").iterdir())  # no work copies left behind
