"""The facet registry (engine/data/facets.toml): what it declares, how it refuses a broken file,
and that the Elasticsearch mapping, the engine contract and the README agree with it."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from engine import facets as registry
from engine.contract import FACETS, IndexDocument
from engine.documents import KEYWORD_FIELDS
from engine.request import PARAMETERS, InvalidParameter, build_request

ROOT = Path(__file__).resolve().parents[2]


def test_the_genre_facets_and_their_vocabularies_are_declared() -> None:
    assert registry.facet("doc_type").values == ("总结", "活动总结", "计划", "讲话", "新闻", "其他")
    assert registry.facet("org_type").values == ("工会", "妇联", "共青团", "其他")
    assert (registry.facet("doc_type").flag, registry.facet("org_type").flag) == ("--doc-type", "--org-type")
    assert (registry.facet("doc_type").label, registry.facet("org_type").label) == ("文档类型", "单位类型")


def test_the_unknown_period_is_its_own_value_beside_other() -> None:
    period = registry.facet("period")
    assert {"其他", "未知"} <= set(period.values) and period.unknown == "未知"
    assert IndexDocument(**_minimal()).period == "未知"


def test_index_documents_default_to_each_facets_unknown_value() -> None:
    doc = IndexDocument(**_minimal())
    for facet in registry.article_facets():
        if facet.kind == "keyword":
            assert getattr(doc, facet.field) == facet.unknown, facet.name


def test_every_facet_is_a_search_parameter_in_display_order() -> None:
    assert tuple(f.name for f in registry.all_facets()) == FACETS
    assert set(FACETS) <= set(PARAMETERS)
    assert build_request({"doc_type": ["总结", "计划"], "org_type": ["工会"]}).filters == {
        "doc_type": ("总结", "计划"),
        "org_type": ("工会",),
    }


def test_strict_requests_refuse_unknown_names_and_accept_unknown_values() -> None:
    with pytest.raises(InvalidParameter, match="未知参数 doctype"):
        build_request({"doctype": ["总结"]}, strict=True)
    assert build_request({"doc_type": ["年鉴"]}, strict=True).filters == {"doc_type": ("年鉴",)}
    assert build_request({"doctype": ["总结"]}).filters == {}  # pages stay lenient


def test_closed_vocabularies_order_values_as_declared_and_others_by_count() -> None:
    counts = {"新闻": 5, "总结": 1, "自定义": 9, "讲话": 5}
    assert registry.facet("doc_type").display_order(counts, counts) == ["总结", "讲话", "新闻", "自定义"]
    assert registry.facet("township").display_order(counts, counts) == ["自定义", "新闻", "讲话", "总结"]
    years = {"2019": 1, "2023": 1, "2021": 4}
    assert registry.facet("year").display_order(years, years) == ["2023", "2021", "2019"]


def test_the_preset_narrows_to_union_work_summaries() -> None:
    (preset,) = [p for p in registry.PRESETS if p.label == "只看工会工作总结"]
    assert preset.as_filters() == {"org_type": ("工会",), "doc_type": ("总结",)}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (('label = "文档类型"', 'label = ""'), "'label' must be a non-empty string"),
        (('flag = "--doc-type"', 'flag = "doc-type"'), "flag must look like --some-name"),
        (
            ('unknown = "其他"\narticle = true\ncorrectable = true\norder = "vocabulary"', 'unknown = "不详"'),
            "'unknown'",
        ),
        (('order = "vocabulary"', 'order = "alphabet"'), "'order' must be one of"),
        (('name = "org_type"', 'name = "doc_type"'), "two facets share a name"),
        (("multi = true", 'multi = "yes"'), "'multi' must be true or false"),
        (("folded = true", 'folded = true\ncolour = "red"'), "unknown key(s) colour"),
        (('doc_type = ["总结"]', 'kind = ["总结"]'), "no facet named kind"),
    ],
)
def test_a_broken_registry_file_is_refused_with_the_reason(
    tmp_path: Path, change: tuple[str, str], reason: str
) -> None:
    text = registry.REGISTRY_FILE.read_text(encoding="utf-8")
    old, new = change
    assert old in text, old
    broken = tmp_path / "facets.toml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(registry.RegistryError) as caught:
        registry.load_registry(broken)
    assert reason in str(caught.value)


def test_the_elasticsearch_mapping_declares_every_facet_field() -> None:
    properties = json.loads((ROOT / "mappings" / "mappings.json").read_text(encoding="utf-8"))["properties"]
    for facet in registry.all_facets():
        expected = "integer" if facet.kind == "year" else "keyword"
        assert properties.get(facet.field, {}).get("type") == expected, facet.field
    for field in KEYWORD_FIELDS:
        assert properties[field]["type"] == "keyword", field


def test_every_facet_field_is_an_index_document_field() -> None:
    names = {f.name for f in dataclasses.fields(IndexDocument)}
    assert {f.field for f in registry.all_facets()} <= names


# --------------------------------------------------------------------------- the README says what the registry says

_ROW = re.compile(r"^\| `(?P<name>[a-z_]+)` \| `(?P<flag>--[a-z-]+)` \| (?P<label>[^|]+) \| (?P<values>[^|]+) \|$")


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_facet_table_matches_the_registry() -> None:
    rows = [m.groupdict() for line in _readme().splitlines() if (m := _ROW.match(line.strip()))]
    assert [r["name"] for r in rows] == list(FACETS), "README facet table: one row per facet, in registry order"
    for row in rows:
        facet = registry.facet(row["name"])
        assert (row["flag"], row["label"].strip()) == (facet.flag, facet.label), row["name"]
        if facet.closed:
            assert row["values"].strip() == " · ".join(facet.values), row["name"]


def test_the_readme_lists_every_api_parameter_and_shows_the_genre_flags() -> None:
    readme = _readme()
    api = next(line for line in readme.splitlines() if line.startswith("JSON API (same parameters as the pages"))
    listed = re.findall(r"`([a-z_]+)(?:=[^`]*)?`", api)
    assert set(listed) >= set(PARAMETERS), f"missing from the README's API list: {set(PARAMETERS) - set(listed)}"
    assert set(listed) - set(PARAMETERS) == set(), "the README lists a parameter the API refuses"
    assert "--doc-type 总结 --org-type 工会" in readme


def _minimal() -> dict[str, object]:
    return {
        "paragraph_id": "x-0000",
        "article_id": "x",
        "position": 0,
        "text": "正文",
        "title": "t",
        "source_path": "x.txt",
        "source_sha256": "",
    }
