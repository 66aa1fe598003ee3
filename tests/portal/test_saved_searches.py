"""Saved searches per account: the /api/saved list a logged-in user carries to any browser.

Each test gets its own archive, index and state folder (tests/portal/adminkit.py)
with two accounts, ``admin`` (logged in as ``site.client``) and ``bob``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal import saved_searches
from tests.portal.adminkit import Site, build_site, client_of, login, password_hash, portal
from tests.portal.helpers import csrf_token, soup

QUERY = "困难职工"
#: A file a staffer uploads later: two more paragraphs about 困难职工 (under a heading that is context only).
LATER = (
    "东山镇总工会2024年上半年工作总结\n\n一、开展送温暖活动\n\n"
    "今年走访慰问困难职工三十八户，发放慰问金六万元。\n\n"
    "为困难职工子女发放助学金，帮助十二名学生顺利入学。\n"
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A logged-in ``admin`` over a one-file archive; ``bob`` has an account too."""
    built = build_site(tmp_path, USERS=f"admin:{password_hash()},bob:{password_hash()}")
    yield built
    built.close()


def _token(client: FlaskClient) -> str:
    """The CSRF token the saved-searches page hands its script (only a logged-in page has it)."""
    marker = soup(client.get("/saved")).select_one("#saved-account")
    assert marker is not None, "the page does not say the user is logged in"
    return str(marker["data-csrf"])


def _post(client: FlaskClient, path: str, body: Any, token: str | None = None) -> TestResponse:
    headers = {"X-CSRFToken": token or _token(client)}
    return client.post("/api/saved" + path, json=body, headers=headers)


def _delete(client: FlaskClient, item_id: int) -> TestResponse:
    return client.delete(f"/api/saved/{item_id}", headers={"X-CSRFToken": _token(client)})


def _items(client: FlaskClient) -> list[dict[str, Any]]:
    response = client.get("/api/saved")
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["items"]


def _total(client: FlaskClient, search: str) -> int:
    return client.get("/api/search?" + search).get_json()["total"]


def _upload(site: Site, text: str, name: str) -> None:
    data = {"files": [(io.BytesIO(text.encode()), name)], "folder": "东山镇", "csrf_token": site.token()}
    assert site.client.post("/admin/upload", data=data, content_type="multipart/form-data").status_code == 200


def _bob(site: Site) -> FlaskClient:
    client = client_of(site.app)
    assert login(client, "bob").status_code == 302
    return client


def test_without_a_login_the_list_stays_in_the_browser(site: Site) -> None:
    stranger = client_of(site.app)
    assert stranger.get("/api/saved").status_code == 401
    assert stranger.get("/api/saved").get_json() == {"error": "请先登录。"}
    token = csrf_token(stranger)  # a real token of the stranger's own session: still no account to save into
    response = stranger.post("/api/saved", json={"name": "x", "search": "q=工会"}, headers={"X-CSRFToken": token})
    assert response.status_code == 401
    assert stranger.delete("/api/saved/1", headers={"X-CSRFToken": token}).status_code == 401
    page = soup(stranger.get("/saved"))
    assert page.select_one("#saved-account") is None  # saved.js keeps using localStorage
    assert "保存在本浏览器中" in page.select_one(".page-lead").get_text()


def test_logged_in_pages_say_the_list_belongs_to_the_account(site: Site) -> None:
    page = soup(site.client.get("/saved"))
    marker = page.select_one("#saved-account")
    assert marker["data-user"] == "admin" and marker["data-api"] == "/api/saved"
    assert "账号 admin" in page.select_one(".page-lead").get_text()
    assert soup(site.client.get(f"/?q={QUERY}")).select_one(".result-tools #saved-account") is not None


def test_save_list_rename_and_delete(site: Site) -> None:
    total = _total(site.client, f"q={QUERY}")
    assert total > 0
    response = _post(site.client, "", {"name": "  困难职工  帮扶 ", "search": f"?page=3&township=鹿苑镇&q={QUERY}"})
    assert response.status_code == 201, response.get_json()
    item = response.get_json()["item"]
    # The name tidied, the page dropped, parameters in order: the same search from any page is one entry.
    assert item["name"] == "困难职工 帮扶"
    assert item["search"] == "q=%E5%9B%B0%E9%9A%BE%E8%81%8C%E5%B7%A5&township=%E9%B9%BF%E8%8B%91%E9%95%87"
    assert item["total"] == _total(site.client, item["search"]) and item["added"] == 0
    assert [i["name"] for i in _items(site.client)] == ["困难职工 帮扶"]
    bare = site.client.get("/api/saved?counts=0").get_json()["items"]  # what the search page asks for
    assert [(i["name"], i["total"], "added" in i) for i in bare] == [("困难职工 帮扶", item["total"], False)]
    # Saved again under another name: renamed, not listed twice.
    again = _post(site.client, "", {"name": "鹿苑镇困难职工", "search": f"township=鹿苑镇&q={QUERY}&page=2"})
    assert again.status_code == 201 and again.get_json()["item"]["id"] == item["id"]
    _post(site.client, "", {"name": "全部", "search": f"q={QUERY}"})
    assert [i["name"] for i in _items(site.client)] == ["全部", "鹿苑镇困难职工"]
    assert _delete(site.client, item["id"]).status_code == 200
    assert [i["name"] for i in _items(site.client)] == ["全部"]
    gone = _delete(site.client, item["id"])
    assert gone.status_code == 404 and "找不到" in gone.get_json()["error"]


def test_each_account_sees_and_changes_only_its_own(site: Site) -> None:
    mine = _post(site.client, "", {"name": "admin 的检索", "search": f"q={QUERY}"}).get_json()["item"]
    bob = _bob(site)
    assert _items(bob) == []
    # Bob cannot tell admin's entry from one that does not exist.
    assert _delete(bob, mine["id"]).status_code == 404
    assert _post(bob, f"/{mine['id']}/opened", None).status_code == 404
    _post(bob, "", {"name": "bob 的检索", "search": f"q={QUERY}"})
    assert [i["name"] for i in _items(bob)] == ["bob 的检索"]
    assert [i["name"] for i in _items(site.client)] == ["admin 的检索"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"name": "", "search": "q=工会"}, "名字不能为空"),
        ({"name": "   ", "search": "q=工会"}, "名字不能为空"),
        ({"name": "长" * 61, "search": "q=工会"}, "名字太长"),
        ({"name": 7, "search": "q=工会"}, "起个名字"),
        ({"name": "a\u200bb", "search": "q=工会"}, "控制字符"),
        ({"name": "工会"}, "缺少要保存的检索条件"),
        ({"name": "工会", "search": ""}, "检索条件为空"),
        ({"name": "工会", "search": "page=2"}, "检索条件为空"),
        ({"name": "工会", "search": "q=工会&colour=red"}, "未知参数 colour"),
        ({"name": "工会", "search": "q=" + "工" * 201}, "检索词过长"),
        ({"name": "工会", "search": "q=工会&year=abc"}, "这不是有效的检索"),
        ({"name": "工会", "search": "q=" + "a" * 2001}, "检索条件太长"),
        (["not", "an", "object"], "JSON 对象"),
    ],
)
def test_bad_input_is_a_400_that_says_why(site: Site, body: Any, reason: str) -> None:
    response = _post(site.client, "", body)
    assert response.status_code == 400
    assert reason in response.get_json()["error"]
    assert _items(site.client) == []


def test_changes_need_the_token_and_our_own_origin(site: Site) -> None:
    body = {"name": "工会", "search": "q=工会"}
    assert site.client.post("/api/saved", json=body).status_code == 400  # no CSRF token
    foreign = site.client.post(
        "/api/saved", json=body, headers={"X-CSRFToken": _token(site.client), "Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403
    assert _items(site.client) == []


def test_an_account_holds_a_bounded_number(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(saved_searches, "MAX_PER_USER", 2)
    token = _token(site.client)
    for query in ("工会", "职工"):
        assert _post(site.client, "", {"name": query, "search": f"q={query}"}, token).status_code == 201
    third = _post(site.client, "", {"name": "慰问", "search": "q=慰问"}, token)
    assert third.status_code == 400 and "最多保存 2 个检索" in third.get_json()["error"]
    # Renaming one already saved is still fine at the limit.
    assert _post(site.client, "", {"name": "工会工作", "search": "q=工会"}, token).status_code == 201


def test_new_paragraphs_count_until_the_search_is_opened(site: Site) -> None:
    search = f"q={QUERY}"
    before = _total(site.client, search)
    item = _post(site.client, "", {"name": "困难职工", "search": search}).get_json()["item"]
    assert item["total"] == before
    _upload(site, LATER, "东山镇工会总结.txt")
    assert _total(site.client, search) == before + 2
    [listed] = _items(site.client)
    assert (listed["added"], listed["total"], listed["current"]) == (2, before, before + 2)
    # Opening it (the search page's script does this) tells how many were new, then counts them as seen.
    opened = _post(site.client, f"/{item['id']}/opened", None)
    assert opened.status_code == 200
    assert opened.get_json() == {"added": 2, "previous_total": before, "total": before + 2}
    [listed] = _items(site.client)
    assert listed["added"] == 0 and listed["total"] == before + 2
    again = _post(site.client, f"/{item['id']}/opened", None).get_json()
    assert again["added"] == 0


def test_the_list_survives_a_restart_and_follows_the_account(site: Site, tmp_path: Path) -> None:
    _post(site.client, "", {"name": "困难职工", "search": f"q={QUERY}"})
    # Another process over the same state folder (another gunicorn worker, or after a restart), another browser.
    other = client_of(portal(tmp_path, INDEX_DIR=str(site.index), USERS=f"admin:{password_hash()}"))
    assert login(other).status_code == 302
    assert [i["name"] for i in _items(other)] == ["困难职工"]
    other.application.extensions["portal.engine"].close()


def test_a_browser_list_merges_into_the_account(site: Site) -> None:
    search = f"q={QUERY}"
    total = _total(site.client, search)
    _post(site.client, "", {"name": "账号里的名字", "search": "q=工会"})
    browser = [
        {"name": "困难职工", "search": search, "total": total - 3},  # three new since this browser last opened it
        {"name": "浏览器里的名字", "search": "q=工会", "total": 1},  # the account has it already: kept as is
        {"name": "", "search": "q=慰问", "total": 5},
        {"name": "坏的", "search": "colour=red"},
    ]
    response = _post(site.client, "/merge", {"items": browser})
    assert response.status_code == 200
    result = response.get_json()
    assert result["merged"] == 2
    assert [(s["index"], s["name"]) for s in result["skipped"]] == [(2, ""), (3, "坏的")]
    assert "名字不能为空" in result["skipped"][0]["reason"]
    listed = {i["name"]: i for i in _items(site.client)}
    assert set(listed) == {"困难职工", "账号里的名字"}
    assert listed["困难职工"]["added"] == 3
    assert _post(site.client, "/merge", {"items": "q=工会"}).status_code == 400
    # Nothing of this reaches another account.
    assert _items(_bob(site)) == []
