"""A deterministic generator of benchmark archives built from the samples' own paragraphs.

``python -m bench corpus --size 100k`` writes about 100,000 paragraphs as
real files under /tmp/union-bench/100k/archive/, laid out as union staff keep
them — a folder per township (some per year), one summary per file::

    东山镇/2019年上半年工会工作总结.txt            UTF-8
    东山镇/2019年宏达机械有限公司工会工作总结.docx  python-docx
    2016年/青溪乡下半年工会工作总结.txt             GB18030

Every paragraph comes from samples/ parsed with the real pipeline
(indexer.pipeline.parse_file): openings, section headings and body
paragraphs. A generated summary takes an opening, 3–7 renumbered sections
of 1–5 body paragraphs and a signature. A body paragraph is either a whole
sample paragraph (a template copied as is — the near-duplicates the engine
collapses) or 1–4 sample sentences recombined. Names, townships, years,
numbers and blanked placeholders (XX镇, 20xx) are re-drawn per summary, so
facet cardinalities (≈300 townships, 20 years 2005–2024, 4 periods, 5 org
levels, thousands of org names) and the duplicate rate look like a real
archive rather than 457 sentences repeated. The same seed and size always
give the same files, byte for byte (.docx zip entries carry a fixed date).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from bisect import bisect
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from bench.common import REPO, archive_dir, log, size_label, work_dir
from bench.docx_files import docx_bytes

DEFAULT_SEED = 20240601
SAMPLES = REPO / "samples"

#: Characters of generated place and brand names; none is one the township rules treat as noise.
_NAME_CHARS = (
    "东西南北青龙凤安平兴华阳金水林石桥河湖山岭溪泉塘坪江沙田桂梅松柏竹荷莲花云霞白黄红丰盛永宁清泰福寿长"
    "吉顺康双峰岩洪涧港湾滨浦洲渡口圩垌埠岗坝铺店营庄岔坳冲坑源谷川潭汀蓉茶杨柳樱枫杉桐桃李杏榆槐"
)
_INDUSTRIES = (
    "机械",
    "纺织",
    "电子",
    "建材",
    "化工",
    "食品",
    "陶瓷",
    "服装",
    "印刷",
    "物流",
    "光伏",
    "建筑劳务",
    "家具",
    "五金",
    "塑业",
    "药业",
)
_SCHOOLS = ("中心小学", "中学", "中心幼儿园", "实验小学", "职业中学")
_AGENCIES = ("卫生院", "财政所", "供电所", "农业服务中心", "文化站", "派出所")
_CN = "一二三四五六七八九十"

_KNOWN_TOWNSHIPS = re.compile(r"鹿苑镇|寮步镇|马过河镇")
_BLANK_TOWNSHIP = re.compile(r"(?:XX|xx|××|X|x)(镇|乡)")
_KNOWN_COUNTIES = re.compile(r"顺昌县|中江县")
_KNOWN_CITIES = re.compile(r"东莞市|大连市|金坛市")
_KNOWN_FIRMS = re.compile(r"创艺花炮厂|高超活性白土有限公司|隆中机械公司|华能电厂|先锋公司|环山小学")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?=\s*年)")
_BLANK_YEAR = re.compile(r"(?:20|19)(?:xx|XX|××|\d_|__)(?=\s*年)")
_NUMBER = re.compile(r"(?<![\d.（(])\d+(?![\d、.．)）年])")
_SENTENCE = re.compile(r"[^。！？；]+[。！？；]")
_LEADING_NUMBER = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）]?\s*[、.．]?|[①-⑳])\s*")


# --------------------------------------------------------------------------- seeds from the samples


@dataclass
class Seeds:
    """Paragraph material parsed from samples/ by the real pipeline."""

    openings: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)


def load_seeds(samples: Path = SAMPLES) -> Seeds:
    """Openings, headings (numbering stripped), body paragraphs and sentences of the samples."""
    from indexer.pipeline import parse_file

    seeds = Seeds()
    for path in sorted(p for p in samples.iterdir() if p.is_file()):
        parsed = parse_file(path, samples)
        by_article: dict[str, list[Any]] = {}
        for paragraph in parsed.paragraphs:
            by_article.setdefault(paragraph.article_id, []).append(paragraph)
        for paragraphs in by_article.values():
            opened = False
            for paragraph in paragraphs:
                text = paragraph.text.strip()
                if paragraph.is_heading:
                    heading = _LEADING_NUMBER.sub("", text).strip("：: ")
                    if 4 <= len(heading) <= 30 and heading[-1] not in "。；;":
                        seeds.headings.append(heading)
                elif not opened and len(text) >= 40:
                    seeds.openings.append(text)
                    opened = True
                elif len(text) >= 12:
                    body = _LEADING_NUMBER.sub("", text)
                    seeds.bodies.append(body)
                    seeds.sentences += [s for s in _SENTENCE.findall(body) if len(s) >= 8]
    for name in ("openings", "headings", "bodies", "sentences"):
        # Sorted and de-duplicated: the generator's draws must not depend on set order.
        setattr(seeds, name, sorted(set(getattr(seeds, name))))
    return seeds


# --------------------------------------------------------------------------- the archive's world


@dataclass(frozen=True)
class Org:
    """A union organisation that writes summaries."""

    name: str  # 东山镇总工会, 宏达机械有限公司工会
    short: str  # the part put into file names ("" for the township union itself)
    level: str
    township: str  # folder; a county for county-level unions


@dataclass
class World:
    """Townships, counties and organisations drawn once per seed (independent of size)."""

    townships: list[str]
    counties: list[str]
    orgs: list[Org]
    org_weights: list[float]


def _names(rng: random.Random, count: int, suffixes: list[tuple[str, float]], taken: set[str]) -> list[str]:
    names: list[str] = []
    kinds, weights = zip(*suffixes, strict=True)
    while len(names) < count:
        stem = "".join(rng.sample(_NAME_CHARS, 2))
        name = stem + rng.choices(kinds, weights)[0]
        if stem not in taken and name not in taken:
            taken.update((stem, name))
            names.append(name)
    return names


def build_world(seed: int, townships: int = 300, counties: int = 24) -> World:
    """≈300 townships (镇/乡/街道), county unions, and 1–8 organisations per township."""
    rng = random.Random(f"world-{seed}")
    taken: set[str] = set()
    town_names = _names(rng, townships, [("镇", 0.7), ("乡", 0.2), ("街道", 0.1)], taken)
    county_names = _names(rng, counties, [("县", 0.8), ("区", 0.2)], taken)
    orgs: list[Org] = []
    weights: list[float] = []
    for rank, town in enumerate(town_names, start=1):
        # Zipf-like: a few townships keep large archives, most keep a few files.
        town_weight = 1.0 / rank**0.8
        members = [Org(f"{town}总工会", "", "乡镇街道", town)]
        for _ in range(rng.randint(0, 7)):
            kind = rng.random()
            if kind < 0.5:
                brand = "".join(rng.sample(_NAME_CHARS, 2))
                firm = f"{brand}{rng.choice(_INDUSTRIES)}有限公司"
                members.append(Org(f"{firm}工会", firm, "企业厂矿", town))
            elif kind < 0.8:
                school = f"{town}{rng.choice(_SCHOOLS)}"
                members.append(Org(f"{school}工会", school, "学校教育", town))
            else:
                agency = f"{town}{rng.choice(_AGENCIES)}"
                members.append(Org(f"{agency}工会", agency, "机关事业", town))
        unique = list({org.name: org for org in members}.values())
        for index, org in enumerate(unique):
            orgs.append(org)
            weights.append(town_weight * (3.0 if index == 0 else 1.0))
    for county in county_names:
        orgs.append(Org(f"{county}总工会", f"{county}总工会", "县区", county))
        weights.append(0.15)
    return World(town_names, county_names, orgs, weights)


# --------------------------------------------------------------------------- one summary


_YEARS = list(range(2005, 2025))
_YEAR_WEIGHTS = [1 + 0.25 * i for i in range(len(_YEARS))]  # archives grow towards the present
_PERIODS = ("上半年", "下半年", "全年", "其他")
_PERIOD_WEIGHTS = (0.45, 0.12, 0.38, 0.05)


@dataclass
class Summary:
    """One generated file: where it goes, its lines and how it is encoded."""

    relative: str
    lines: list[str]
    fmt: str  # utf8 | utf8-bom-crlf | gb18030 | docx
    copies: int  # body paragraphs copied whole from a sample (template reuse)


class Generator:
    def __init__(self, seed: int, label: str) -> None:
        self.seed = seed
        self.rng = random.Random(f"corpus-{seed}-{label}")
        self.seeds = load_seeds()
        self.world = build_world(seed)
        self._org_cum = list(accumulate(self.world.org_weights))
        self._used: set[str] = set()

    def _org(self) -> Org:
        return self.world.orgs[bisect(self._org_cum, self.rng.random() * self._org_cum[-1])]

    def _subst(self, text: str, org: Org, year: int) -> str:
        rng = self.rng
        town = org.township if org.level != "县区" else rng.choice(self.world.townships)
        county = (
            org.township
            if org.level == "县区"
            else self.world.counties[hash_index(org.township, len(self.world.counties))]
        )
        text = _KNOWN_TOWNSHIPS.sub(town, text)
        text = _BLANK_TOWNSHIP.sub(lambda m: town if rng.random() < 0.6 else m.group(0), text)
        text = _KNOWN_COUNTIES.sub(county, text)
        text = _KNOWN_CITIES.sub(county[:2] + "市", text)
        text = _KNOWN_FIRMS.sub(lambda m: "".join(rng.sample(_NAME_CHARS, 2)) + rng.choice(_INDUSTRIES) + "公司", text)
        text = _YEAR.sub(lambda m: str(year - (1 if rng.random() < 0.15 else 0)), text)
        text = _BLANK_YEAR.sub(lambda m: str(year) if rng.random() < 0.7 else m.group(0), text)

        def number(match: re.Match[str]) -> str:
            """A plausible figure for a sentence."""
            digits = match.group(0)
            if rng.random() < 0.3:
                return digits
            if len(digits) == 1:
                return str(rng.randint(1, 9))
            return str(rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))

        return _NUMBER.sub(number, text)

    def _body(self, org: Org, year: int) -> tuple[str, bool]:
        rng = self.rng
        if rng.random() < 0.35:
            return self._subst(rng.choice(self.seeds.bodies), org, year), True
        count = rng.choices((1, 2, 3, 4), (0.25, 0.35, 0.25, 0.15))[0]
        text = "".join(rng.choice(self.seeds.sentences) for _ in range(count))
        if text[-1] in "；;":
            text = text[:-1] + "。"
        return self._subst(text, org, year), False

    def _title(self, org: Org, year: int, period: str) -> str:
        rng = self.rng
        shown_year = f"{year}" if rng.random() > 0.05 else "20XX"
        word = {"上半年": "上半年", "下半年": "下半年", "全年": rng.choice(("", "年度", "全年")), "其他": ""}[period]
        noun = "工作总结" if period != "其他" else rng.choice(("工作汇报", "工作总结"))
        style = rng.random()
        if style < 0.4:
            return f"{org.name}{shown_year}年{word}{noun}"
        if style < 0.7:
            return f"{shown_year}年{word}{org.name}{noun}"
        if style < 0.85:
            return f"{org.name}{word or '年度'}{noun}"
        return f"{shown_year}年{word}工会{noun}"

    def _path(self, org: Org, year: int, period: str, fmt: str) -> str:
        ext = "docx" if fmt == "docx" else "txt"
        word = {"上半年": "上半年", "下半年": "下半年", "全年": "", "其他": ""}[period]
        if self.rng.random() < 0.2 and org.level != "县区":
            stem = f"{year}年/{org.township}{word}{org.short}工会工作总结"
        else:
            stem = f"{org.township}/{year}年{word}{org.short}工会工作总结"
        candidate, n = f"{stem}.{ext}", 1
        while candidate in self._used:
            n += 1
            candidate = f"{stem}（{n}）.{ext}"
        self._used.add(candidate)
        return candidate

    def summary(self) -> Summary:
        """The next generated summary file."""
        rng = self.rng
        org = self._org()
        year = rng.choices(_YEARS, _YEAR_WEIGHTS)[0]
        period = rng.choices(_PERIODS, _PERIOD_WEIGHTS)[0]
        fmt = rng.choices(("utf8", "utf8-bom-crlf", "gb18030", "docx"), (0.55, 0.1, 0.15, 0.2))[0]
        lines = [self._title(org, year, period), self._subst(rng.choice(self.seeds.openings), org, year)]
        copies = 0
        for s in range(rng.randint(3, 7)):
            lines.append(f"{_CN[s]}、{self._subst(rng.choice(self.seeds.headings), org, year)}")
            numbered = rng.random() < 0.4
            for b in range(rng.randint(1, 5)):
                body, copied = self._body(org, year)
                copies += copied
                lines.append(f"{b + 1}、{body}" if numbered else body)
        if rng.random() < 0.6:
            month = {"上半年": rng.randint(6, 7), "下半年": 12, "全年": 12, "其他": rng.randint(1, 12)}[period]
            lines += [org.name, f"{year}年{month}月{rng.randint(1, 28)}日"]
        return Summary(self._path(org, year, period, fmt), lines, fmt, copies)


def hash_index(text: str, modulo: int) -> int:
    """A stable small hash (Python's str hash is salted per process)."""
    value = 0
    for ch in text:
        value = (value * 131 + ord(ch)) % 1_000_003
    return value % modulo


# --------------------------------------------------------------------------- writing files


def encode(summary: Summary, rng: random.Random) -> bytes:
    """The file's bytes in its format: a .docx, or text in GB18030, UTF-8 with BOM and CRLF, or UTF-8."""
    if summary.fmt == "docx":
        return docx_bytes(summary.lines, title_style=rng.random() < 0.5)
    if summary.fmt == "gb18030":
        return ("\n".join(summary.lines) + "\n").encode("gb18030")
    if summary.fmt == "utf8-bom-crlf":
        return ("\r\n".join(summary.lines) + "\r\n").encode("utf-8-sig")
    return ("\n".join(summary.lines) + "\n").encode("utf-8")


@dataclass
class _Written:
    """What ``generate`` has written so far."""

    paragraphs: int = 0
    files_by_format: Counter[str] = field(default_factory=Counter)
    bytes_by_format: Counter[str] = field(default_factory=Counter)
    text_bytes: int = 0
    copies: int = 0
    townships: set[str] = field(default_factory=set)
    years: set[str] = field(default_factory=set)

    def add(self, summary: Summary, data: bytes) -> None:
        """Count one written file."""
        self.paragraphs += len(summary.lines)
        self.copies += summary.copies
        self.files_by_format[summary.fmt] += 1
        self.bytes_by_format[summary.fmt] += len(data)
        self.text_bytes += sum(len(line.encode("utf-8")) for line in summary.lines)
        self.townships.add(summary.relative.split("/")[0])
        self.years.add(re.search(r"(\d{4})年", summary.relative).group(1))  # type: ignore[union-attr]


def generate(paragraphs: int, root: Path, seed: int = DEFAULT_SEED, force: bool = False) -> dict[str, Any]:
    """Write an archive of at least ``paragraphs`` generated paragraph lines; returns the manifest."""
    label = size_label(paragraphs)
    target = archive_dir(root, label)
    manifest_path = work_dir(root, label) / "manifest.json"
    if manifest_path.exists() and not force:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("seed") == seed and manifest.get("target_paragraphs") == paragraphs:
            log(f"corpus {label}: already at {target} (use --force to rebuild)")
            return manifest
    if target.exists():
        shutil.rmtree(target)
    # Anything derived from an older archive is stale now.
    for stale in work_dir(root, label).glob("paragraphs.jsonl"):
        stale.unlink()
    target.mkdir(parents=True)
    started = time.perf_counter()
    written = _write_files(target, paragraphs, seed, label)
    manifest = {
        "seed": seed,
        "target_paragraphs": paragraphs,
        "label": label,
        "archive": str(target),
        "files": sum(written.files_by_format.values()),
        "files_by_format": dict(written.files_by_format),
        "bytes_on_disk": sum(written.bytes_by_format.values()),
        "bytes_by_format": dict(written.bytes_by_format),
        "generated_paragraph_lines": written.paragraphs,
        "generated_text_bytes_utf8": written.text_bytes,
        "body_paragraphs_copied_whole": written.copies,
        "top_folders": len(written.townships),
        "years": len(written.years),
        "seconds": round(time.perf_counter() - started, 1),
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(
        f"corpus {label}: {manifest['files']:,} files, {written.paragraphs:,} paragraph lines, "
        f"{written.text_bytes / 1e6:.1f} MB text, {manifest['bytes_on_disk'] / 1e6:.1f} MB on disk, {manifest['seconds']} s"
    )
    return manifest


def _write_files(target: Path, paragraphs: int, seed: int, label: str) -> _Written:
    """Generate summaries and write them under ``target`` until ``paragraphs`` lines are written."""
    gen = Generator(seed, label)
    encode_rng = random.Random(f"encode-{seed}-{label}")
    written = _Written()
    made_dirs: set[Path] = set()
    while written.paragraphs < paragraphs:
        summary = gen.summary()
        data = encode(summary, encode_rng)
        path = target / summary.relative
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        path.write_bytes(data)
        written.add(summary, data)
        if sum(written.files_by_format.values()) % 5000 == 0:
            log(f"corpus {label}: {written.paragraphs:,} paragraphs written")
    return written
