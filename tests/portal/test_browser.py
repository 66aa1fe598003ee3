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
    assert copied.splitlines()[-1].startswith("——《")


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
    assert texts[texts.index(second_text) + 1].startswith("——《")

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
