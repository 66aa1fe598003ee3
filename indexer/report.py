"""The closing report of a parse or ingest run: what was read, skipped and inferred."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from engine import facets as registry
from engine.contract import EngineUnavailable, IncompatibleIndex
from indexer.model import Article
from indexer.splitting.long_paragraphs import MAX_PART_CHARS

#: Article properties whose coverage the report shows: the registry's article facets, then the publish date.
COVERAGE: dict[str, str] = {
    **{f.field: f.label for f in registry.article_facets()},
    "publish_date": "发布日期",
}


def _known(article: Article, name: str) -> bool:
    """True when inference (or a sidecar) found a value for the article property ``name``."""
    value = getattr(article, name)
    declared = registry.by_field(name)
    return not (declared.is_unknown(value) if declared else value in (None, ""))


@dataclass
class RunReport:
    """Counts gathered while a run goes; ``render`` prints them for a person."""

    started: float = field(default_factory=time.perf_counter)
    files_read: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    bytes_read: int = 0
    articles: int = 0
    paragraphs: int = 0
    #: Over-long paragraphs split into parts at sentence ends, and how many parts they became.
    long_paragraphs: int = 0
    long_paragraph_parts: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    covered: Counter[str] = field(default_factory=Counter)

    def add_articles(self, articles: list[Article]) -> None:
        """Count articles and which facets inference could fill for them."""
        self.articles += len(articles)
        for article in articles:
            for name in COVERAGE:
                if _known(article, name):
                    self.covered[name] += 1

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self.started

    def _content_line(self) -> str:
        """What was read, or, when nothing was, why: "文章 0 篇" after a re-run reads as data lost."""
        if self.files_read or self.articles:
            return f"文章 {self.articles} 篇，段落 {self.paragraphs} 段"
        if self.files_unchanged:
            return f"没有新的或修改过的文件：索引已是最新（{self.files_unchanged} 个文件未变化）"
        if self.files_removed:
            return "没有新的或修改过的文件"
        return "没有读到任何文件"

    def render(self) -> str:
        """The report as lines of Chinese for the person at the terminal."""
        seconds = max(self.elapsed, 1e-9)
        megabytes = self.bytes_read / 1_000_000
        lines = [
            f"读取文件 {self.files_read} 个（{megabytes:.2f} MB，{seconds:.1f} 秒，{megabytes / seconds:.2f} MB/s）"
            + (f"，未变化跳过 {self.files_unchanged} 个" if self.files_unchanged else "")
            + (f"，移除 {self.files_removed} 个" if self.files_removed else ""),
            self._content_line(),
        ]
        if self.long_paragraphs:
            lines.append(
                f"超长段落 {self.long_paragraphs} 段已在句末拆分为 {self.long_paragraph_parts} 部分"
                f"（每部分不超过 {MAX_PART_CHARS} 字，原文页仍按一段显示），以免拖慢检索"
            )
        if self.articles:
            coverage = "，".join(
                f"{label} {100 * self.covered[name] / self.articles:.0f}%" for name, label in COVERAGE.items()
            )
            lines.append(f"分面覆盖率：{coverage}")
        if self.skipped:
            lines.append(f"跳过 {len(self.skipped)} 个文件：")
            lines.extend(f"  {path}: {reason}" for path, reason in self.skipped)
        return "\n".join(lines)


def engine_failure(exc: EngineUnavailable | IncompatibleIndex) -> str:
    """One line for the person at the terminal when the engine cannot serve."""
    if isinstance(exc, IncompatibleIndex):
        return f"索引版本不兼容：{exc}"
    return f"检索引擎不可用：{exc}"
