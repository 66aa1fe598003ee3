"""Browser tests: the portal in Debian's Chromium driven by Playwright.

The app runs on a free loopback port in a background thread. Playwright's
own browser downloads are never used (no ``playwright install``): the
system Chromium is launched by path. Without Chromium the tests skip on a
developer machine and fail under CI=true.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import docx
import pytest
from flask import Flask
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _require_browser() -> str:
    """The Chromium path; skip (developer machine) or fail (CI) when something is missing."""
    in_ci = os.environ.get("CI", "").strip().lower() == "true"
    path = _chromium()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if in_ci:
            pytest.fail("playwright is not installed (pip install -r requirements-dev.txt)")
        pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)")
    if path is None:
        if in_ci:
            pytest.fail("chromium not found at /usr/bin/chromium (bash scripts/ensure_test_system_packages.sh)")
        pytest.skip("chromium not found: apt-get install chromium to run the browser tests")
    return path


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    """The portal served on a free loopback port for the duration of the module."""
    with _served(app) as url:
        yield url


@contextmanager
def _served(app: Flask) -> Iterator[str]:
    """``app`` on a free loopback port in a background thread; its address while the block runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="portal-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module."""
    path = _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh desktop-sized page (own storage) allowed to use the clipboard."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    # Any script error or CSP violation fails the test.
    assert errors == []


def expect(target: Any) -> Any:
    """Playwright's retrying assertions (imported late: playwright may be missing)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def _total(page: Any) -> int:
    return int(page.locator(".js-total").inner_text())


def _screenshot(page: Any, name: str, full_page: bool = False) -> None:
    # The viewport by default: sticky outline and match bar sit where a reader sees them.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def test_search_and_tick_a_township(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    _screenshot(page, "landing.png")
    page.locator("h1").click()  # move focus off the autofocused box, then "/" brings it back
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("困难职工")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    everything = _total(page)
    assert everything > 0
    org_counts_before = page.locator("#facet-org_level .facet-count").all_inner_texts()
    _screenshot(page, "search.png")

    with page.expect_navigation():
        page.locator("#facet-township label", has_text="鹿苑镇").click()
    assert "township=%E9%B9%BF%E8%8B%91%E9%95%87" in page.url
    narrowed = _total(page)
    assert 0 < narrowed < everything
    assert page.locator("#facet-org_level .facet-count").all_inner_texts() != org_counts_before
    assert page.locator(".chips-selected .chip-removable").inner_text().startswith("乡镇：鹿苑镇")
    assert page.locator("#facet-township input[value=鹿苑镇]").is_checked()
    _screenshot(page, "search-filtered.png")

    # The URL is the state: back restores the unfiltered search.
    page.go_back()
    assert _total(page) == everything


def test_copy_a_paragraph(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?q=送温暖")
    hit = page.locator("article.hit").first
    expected = hit.get_attribute("data-text")
    api = page.request.get(base_url + "/api/search?q=送温暖&size=1").json()
    assert expected == api["hits"][0]["text"]

    button = hit.locator("button[data-copy=text]")
    button.click()
    page.wait_for_function("document.querySelector('#toast').classList.contains('is-visible')")
    expect(button).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == expected

    hit.locator("button[data-copy=cite]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == expected + "\n" + hit.get_attribute("data-source")
    # The complete source line: unit, title, date, file.
    assert copied.splitlines()[-1].startswith("——") and "来源文件：" in copied.splitlines()[-1]


def test_copy_falls_back_without_the_clipboard_api(page: Any, base_url: str) -> None:
    # As on a plain-http intranet address: no navigator.clipboard, execCommand('copy') instead.
    page.add_init_script(
        "window.__clipboard = navigator.clipboard;"
        "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});"
    )
    page.goto(base_url + "/?q=送温暖")
    hit = page.locator("article.hit").first
    hit.locator("button[data-copy=text]").click()
    page.wait_for_function("document.querySelector('#toast').classList.contains('is-visible')")
    expect(page.locator("#toast")).to_have_text("已复制")
    assert page.evaluate("window.__clipboard.readText()") == hit.get_attribute("data-text")


def test_duplicate_copies_expand_in_place(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?q=晨曦计划")
    details = page.locator("details.copies").first
    details.locator("summary").click()
    links = details.locator(".copies-list a")
    expect(links).to_have_count(1)
    href = links.first.get_attribute("href")
    assert href.startswith("/articles/") and "#p-" in href
    links.first.click()
    page.wait_for_selector(".para.is-target")
    expect(page.locator("#match-counter")).to_have_text(re.compile(r"^第 \d+ / \d+ 处$"))


def test_search_works_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base_url + "/?q=职工")
        everything = _total(page)
        page.locator("#facet-township input[value=寮步镇]").check()
        with page.expect_navigation():
            page.locator(".facet-apply button").click()
        assert 0 < _total(page) < everything
        with page.expect_navigation():
            page.locator(".sort a", has_text="年份").click()
        assert "sort=year" in page.url and "township=" in page.url
        # Script-only buttons stay hidden rather than doing nothing.
        assert not page.locator("article.hit button[data-copy]").first.is_visible()
        page.goto(base_url + "/basket")
        # (Chromium with scripts disabled through DevTools still parses <noscript> as
        # raw text, so check the markup is there and the script-driven list is not.)
        assert "素材篮需要启用 JavaScript" in page.content()
        assert not page.locator("#basket-app").is_visible()
    finally:
        context.close()


def test_article_view_steps_through_matches(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?q=晨曦计划")
    hit = page.locator("article.hit").filter(has_text="助学金").first
    paragraph_id = hit.get_attribute("data-paragraph-id")
    hit.locator(".hit-title a").click()
    page.wait_for_url(f"**/articles/**#p-{paragraph_id}")
    target = page.locator(f"#p-{paragraph_id}")
    assert "is-target" in (target.get_attribute("class") or "")
    assert target.is_visible()

    counter = page.locator("#match-counter")
    total = int(page.locator("#match-nav").get_attribute("data-total"))
    assert total == 3
    # Starts at the hit paragraph's first match (once the script has run).
    expect(counter).to_have_text(f"第 2 / {total} 处")
    current = page.locator("mark.is-current")
    assert current.get_attribute("id") == "m-2"

    page.keyboard.press("j")
    expect(counter).to_have_text(f"第 3 / {total} 处")
    assert page.locator("mark.is-current").get_attribute("id") == "m-3"
    page.keyboard.press("n")  # wraps around
    assert page.locator("mark.is-current").get_attribute("id") == "m-1"
    page.locator("#match-prev").click()
    expect(counter).to_have_text(f"第 3 / {total} 处")
    page.keyboard.press("k")
    assert page.locator("mark.is-current").get_attribute("id") == "m-2"
    assert page.locator(".is-target mark.is-current").count() == 1


def test_article_view_of_a_sample_hit(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?q=送温暖")
    page.locator("article.hit .hit-title a").first.click()
    page.wait_for_selector(".para.is-target")
    expect(page.locator("#match-counter")).to_have_text(re.compile(r"^第 \d+ / \d+ 处$"))
    page.locator(".para.is-target").scroll_into_view_if_needed()
    _screenshot(page, "article.png")


def test_basket_reorder_and_export_docx(page: Any, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url + "/?q=送温暖")
    hits = page.locator("article.hit")
    first_text, second_text = hits.nth(0).get_attribute("data-text"), hits.nth(1).get_attribute("data-text")
    hits.nth(0).locator("button[data-basket-toggle]").click()
    hits.nth(1).locator("button[data-basket-toggle]").click()
    expect(page.locator("#basket-count")).to_have_text("2")
    assert hits.nth(0).locator("button[data-basket-toggle]").get_attribute("aria-pressed") == "true"

    page.goto(base_url + "/basket")
    items = page.locator("#basket-list .basket-text")
    expect(items).to_have_text([first_text, second_text])
    page.locator("#basket-list li").first.locator("[data-action=down]").click()
    expect(items).to_have_text([second_text, first_text])
    page.reload()  # the basket survives a reload (localStorage)
    expect(items).to_have_text([second_text, first_text])
    _screenshot(page, "basket.png")

    with page.expect_download() as download_info:
        page.locator("button[name=format][value=docx]").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / "basket.docx"
    download.save_as(saved)
    texts = [p.text for p in docx.Document(io.BytesIO(saved.read_bytes())).paragraphs]
    assert texts.index(second_text) < texts.index(first_text)
    assert texts[texts.index(second_text) + 1].startswith("——")

    # Remove one, then clear and undo.
    page.locator("#basket-list li").first.locator("[data-action=remove]").click()
    expect(items).to_have_text([first_text])
    page.locator("#basket-clear").click()
    assert page.locator("#basket-empty").is_visible()
    page.locator("#basket-undo-button").click()
    expect(items).to_have_text([first_text])


def test_overview_page(page: Any, base_url: str) -> None:
    page.goto(base_url + "/overview")
    assert page.locator("svg.chart").is_visible()
    _screenshot(page, "overview.png", full_page=True)


def test_phone_width(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(base_url + "/?q=职工&township=鹿苑镇")
        # Filters fold above the results; the page never scrolls sideways.
        assert not page.locator("details.filters").evaluate("d => d.open")
        filters_box = page.locator("details.filters").bounding_box()
        first_hit = page.locator("article.hit").first.bounding_box()
        assert filters_box["y"] < first_hit["y"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        _screenshot(page, "search-phone.png")
        page.locator("article.hit .hit-title a").first.click()
        page.wait_for_selector(".para.is-target")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        _screenshot(page, "article-phone.png")
    finally:
        context.close()


# --------------------------------------------------------------------------- issue 15: what a staffer notices

WALKTHROUGH = ARTIFACTS / "walkthrough"
#: Screenshots the README shows (small JPEGs, committed).
README_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _docx_from_download(page: Any, click: Any, tmp_path: Path, name: str) -> Any:
    with page.expect_download() as info:
        click()
    saved = tmp_path / name
    info.value.save_as(saved)
    return docx.Document(str(saved))


def _east_asian_font(style_or_run_element: Any) -> str | None:
    from docx.oxml.ns import qn

    fonts = style_or_run_element.rPr.rFonts
    return fonts.get(qn("w:eastAsia"))


def _check_official_look(document: Any, base_url: str) -> None:
    """A4, 仿宋 body, every paragraph followed by a complete source line and a link back to the portal."""
    from docx.shared import Mm

    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    normal = document.styles["Normal"]
    assert _east_asian_font(normal.element) == "仿宋"
    assert normal.font.size.pt == 16  # 三号
    lines = [p for p in document.paragraphs if p.text.startswith("——")]
    assert lines, "no source lines"
    for line in lines:
        assert "《" in line.text and "来源文件：" in line.text
    links = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert links and all(link.startswith(base_url + "/articles/") for link in links)


def test_a_heading_is_the_context_of_its_paragraph_never_a_card(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?q=困难帮扶工作")
    cards = page.locator("article.hit")
    texts = [cards.nth(i).get_attribute("data-text") for i in range(cards.count())]
    assert "一、困难帮扶工作" not in texts and texts
    # The heading shows above the paragraph it introduces.
    expect(cards.first.locator(".hit-section")).to_contain_text("一、困难帮扶工作")
    cards.first.locator("button[data-copy=cite]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert not copied.startswith("一、")


def test_result_list_exports_to_an_a4_word_file_with_sources(page: Any, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url + "/?q=送温暖")
    # As on the page: copies of one paragraph collapsed into one entry.
    shown = len(page.request.get(base_url + "/api/search?q=送温暖&size=100").json()["hits"])
    document = _docx_from_download(
        page, lambda: page.locator(".result-tools a", has_text="Word").click(), tmp_path, "results.docx"
    )
    _check_official_look(document, base_url)
    assert sum(1 for p in document.paragraphs if p.text.startswith("——")) == shown


def test_basket_export_is_a4_with_fangsong_and_links(page: Any, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url + "/?q=送温暖")
    page.locator("article.hit").first.locator("button[data-basket-toggle]").click()
    page.goto(base_url + "/basket")
    document = _docx_from_download(
        page, lambda: page.locator("button[name=format][value=docx]").click(), tmp_path, "basket.docx"
    )
    _check_official_look(document, base_url)


def test_the_match_bar_is_opaque_and_never_covers_a_heading_on_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 700}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(base_url + "/?q=职工")
        article_url = (
            page.locator("article.hit")
            .filter(has=page.locator(".hit-section"))
            .first.locator(".hit-title a")
            .get_attribute("href")
        )
        page.goto(base_url + article_url)
        page.wait_for_selector(".para.is-target")
        background = page.locator("#match-nav").evaluate("el => getComputedStyle(el).backgroundColor")
        assert background in ("rgb(255, 255, 255)",), background  # no alpha: text never shows through
        heading = page.locator(".para-heading").first
        page.evaluate("id => { location.hash = id; }", heading.get_attribute("id"))
        page.wait_for_timeout(300)
        bar = page.locator("#match-nav").bounding_box()
        top = heading.bounding_box()["y"]
        assert top >= bar["y"] + bar["height"] - 1, (top, bar)
        # Each heading once in the outline.
        outline = [t.strip().rstrip("。：:；;，, ") for t in page.locator(".outline-list a").all_inner_texts()]
        assert len(outline) == len(set(outline))
        _screenshot(page, "article-phone-heading.png")
    finally:
        context.close()


def test_the_keyboard_reaches_the_first_hit_at_once(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?q=送温暖")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到第一条结果"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.hit') !== null")
    # Or: j from anywhere but the search box.
    page.goto(base_url + "/?q=送温暖")
    page.locator(".result-count").click()
    page.keyboard.press("j")
    first_title = page.locator("article.hit .hit-title a").first
    expect(first_title).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator("article.hit .hit-title a").nth(1)).to_be_focused()


def test_filter_form_leaves_no_empty_parameters_in_the_url(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?q=职工")
    with page.expect_navigation():
        page.locator("#facet-township label").first.click()
    assert "year=" not in page.url and "&&" not in page.url


def test_more_like_this_from_a_hit(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?q=困难职工")
    first = page.locator("article.hit").first
    source_id = first.get_attribute("data-paragraph-id")
    first.locator("a", has_text="相似段落").click()
    page.wait_for_url("**like=*")
    expect(page.locator(".like-source")).to_contain_text("与这一段相似的段落")
    ids = page.locator("article.hit").evaluate_all("els => els.map(e => e.dataset.paragraphId)")
    assert ids and source_id not in ids


def test_saved_search_counts_what_is_new_since_last_opened(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?q=送温暖")
    total = _total(page)
    page.once("dialog", lambda dialog: dialog.accept("送温暖素材"))
    page.locator(".js-save-search").click()
    expect(page.locator(".js-save-search")).to_have_text("已保存")
    page.goto(base_url + "/saved")
    expect(page.locator(".saved-name")).to_have_text(["送温暖素材"])
    expect(page.locator(".saved-new")).to_have_text("没有新段落")
    # As if three paragraphs had been added since it was last opened.
    page.evaluate(
        "() => { const k = 'union-summaries.saved-searches'; const l = JSON.parse(localStorage.getItem(k));"
        " l[0].total -= 3; localStorage.setItem(k, JSON.stringify(l)); }"
    )
    page.reload()
    expect(page.locator(".saved-new")).to_have_text("新增 3 段")
    page.locator(".saved-name").click()
    page.wait_for_url("**/?*q=*")
    assert _total(page) == total
    page.goto(base_url + "/saved")  # opened: nothing new any more
    expect(page.locator(".saved-new")).to_have_text("没有新段落")


def test_a_staffer_walks_through_the_portal(page: Any, base_url: str, tmp_path: Path) -> None:
    """Search, narrow, read, more like this, collect, export, save the search — with screenshots."""
    WALKTHROUGH.mkdir(parents=True, exist_ok=True)

    def shot(name: str, readme: bool = False) -> None:
        page.screenshot(path=str(WALKTHROUGH / f"{name}.png"))
        # Small JPEGs for the README, refreshed only on request so a test run leaves the tree clean.
        if readme and os.environ.get("UPDATE_README_SCREENSHOTS") == "1":
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(README_SHOTS / f"{name}.jpg"), type="jpeg", quality=55)

    page.set_viewport_size({"width": 1100, "height": 760})
    # 1. Search.
    page.goto(base_url + "/")
    page.locator("#q").fill("困难职工")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    everything = _total(page)
    shot("01-search")
    # 2. Narrow to one township.
    with page.expect_navigation():
        page.locator("#facet-township label", has_text="鹿苑镇").click()
    narrowed = _total(page)
    assert 0 < narrowed <= everything
    shot("02-narrowed", readme=True)
    # 3. Read a hit in its article.
    page.locator("article.hit .hit-title a").first.click()
    page.wait_for_selector(".para.is-target")
    shot("03-article")
    # 4. More like this, from the paragraph read.
    page.locator(".para.is-target a", has_text="相似段落").click()
    page.wait_for_url("**like=*")
    expect(page.locator(".like-source")).to_be_visible()
    shot("04-more-like-this", readme=True)
    # 5. Collect two paragraphs.
    hits = page.locator("article.hit")
    hits.nth(0).locator("button[data-basket-toggle]").click()
    hits.nth(1).locator("button[data-basket-toggle]").click()
    expect(page.locator("#basket-count")).to_have_text("2")
    # 6. Export the basket and the whole result list.
    page.goto(base_url + "/basket")
    shot("05-basket")
    basket = _docx_from_download(
        page, lambda: page.locator("button[name=format][value=docx]").click(), tmp_path, "basket.docx"
    )
    _check_official_look(basket, base_url)
    page.goto(base_url + "/?q=困难职工&township=鹿苑镇")
    results = _docx_from_download(
        page, lambda: page.locator(".result-tools a", has_text="Word").click(), tmp_path, "results.docx"
    )
    _check_official_look(results, base_url)
    # 7. Save the search and find it in the list.
    page.once("dialog", lambda dialog: dialog.accept("鹿苑镇困难职工"))
    page.locator(".js-save-search").click()
    page.goto(base_url + "/saved")
    expect(page.locator(".saved-name")).to_have_text(["鹿苑镇困难职工"])
    shot("06-saved")


# --------------------------------------------------------------------------- saved searches per account


@pytest.fixture(scope="module")
def account_url(engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second portal over the same index with an account and a state folder, on its own loopback port."""
    from portal import create_app
    from tests.portal.adminkit import SECRET, password_hash

    state = tmp_path_factory.mktemp("browser-state")
    app = create_app(
        {"ENGINE": engine, "SECRET_KEY": SECRET, "USERS": f"admin:{password_hash()}", "STATE_DIR": str(state)}
    )
    with _served(app) as url:
        yield url


def _fresh_page(browser: Any, errors: list[str]) -> Any:
    """A page in a new browser context (no cookies, empty localStorage) whose script errors land in ``errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page


def _log_in(page: Any, base: str) -> None:
    from tests.portal.adminkit import PASSWORD

    page.goto(base + "/login?next=/saved")
    page.locator("#username").fill("admin")
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.form-grid button[type=submit]").click()
    page.wait_for_url("**/saved")


def _save_search(page: Any, name: str) -> None:
    page.once("dialog", lambda dialog: dialog.accept(name))
    page.locator(".js-save-search").click()
    expect(page.locator(".js-save-search")).to_have_text("已保存")


def test_saved_searches_follow_the_account_to_another_browser(browser: Any, account_url: str) -> None:
    errors: list[str] = []
    # At a colleague's desk: one search saved before logging in (kept in this browser), then one in the account.
    page = _fresh_page(browser, errors)
    page.goto(account_url + "/?q=送温暖")
    _save_search(page, "浏览器里存的")
    _log_in(page, account_url)
    expect(page.locator(".page-lead")).to_contain_text("账号 admin")
    expect(page.locator("#saved-empty")).to_be_visible()  # the account's list is empty so far
    expect(page.locator("#saved-merge")).to_be_visible()
    expect(page.locator(".js-merge-count")).to_have_text("1")
    page.goto(account_url + "/?q=困难职工")
    _save_search(page, "困难职工素材")
    page.goto(account_url + "/saved")
    expect(page.locator(".saved-name")).to_have_text(["困难职工素材"])
    expect(page.locator(".saved-new")).to_have_text(["没有新段落"])
    # The search saved before logging in is offered to the account, and moves there.
    _screenshot(page, "saved-merge-offer.png")
    page.locator(".js-merge").click()
    expect(page.locator(".saved-name")).to_have_text(["浏览器里存的", "困难职工素材"])
    expect(page.locator("#saved-merge")).to_be_hidden()
    assert page.evaluate("() => window.Portal.savedSearches.load()") == []
    page.context.close()

    # Another browser (a new context: no cookies, no localStorage): the same list after logging in.
    other = _fresh_page(browser, errors)
    _log_in(other, account_url)
    expect(other.locator(".saved-name")).to_have_text(["浏览器里存的", "困难职工素材"])
    expect(other.locator("#saved-merge")).to_be_hidden()
    other.reload()
    expect(other.locator(".saved-name")).to_have_text(["浏览器里存的", "困难职工素材"])
    other.locator(".saved-item", has_text="浏览器里存的").get_by_role("button", name=re.compile("删除")).click()
    expect(other.locator(".saved-name")).to_have_text(["困难职工素材"])
    other.locator(".saved-name").click()
    other.wait_for_url("**/?q=*")
    assert _total(other) > 0
    _screenshot(other, "saved-per-account.png")
    other.context.close()
    assert errors == []
