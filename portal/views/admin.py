"""Admin pages (/admin…): upload, re-ingest, correct an article's facets, delete an article.

Every route here needs a login (portal.auth's guard runs before the body
is read; ``login_required`` repeats it on each view) and a CSRF token on
every POST (portal.csrf). Writes are serialised by portal.ingestion's lock
and go through the indexer's own code; corrections are sidecar rows
(indexer.record_correction), so a re-ingest or a rebuild keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for

from engine import facets as registry
from engine.contract import EngineUnavailable, IncompatibleIndex, IndexDocument, SearchRequest
from indexer import CORRECTION_FIELDS, CorrectionError, io_failure_message, record_correction
from portal.archive import ArchiveUnavailable, archive_root, file_of, move_to_trash, restore_from_trash
from portal.auth import current_user, login_required
from portal.engine_access import get_engine
from portal.ingestion import (
    IngestBusy,
    ingest_file,
    reingest_status,
    remove_source,
    start_reingest,
    write_lock,
)
from portal.uploads import AlreadyInArchive, UploadRejected, store_upload

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Shown when a write was kept but the index could not be updated.
_INDEX_LATER = "稍后在管理页点“重新导入”即可补上。"


@bp.after_request
def _no_store(response: Response) -> Response:
    # Admin pages show who is logged in and carry CSRF tokens: never cache them.
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


def _dashboard(status: int = 200, results: list[UploadOutcome] | None = None) -> tuple[str, int]:
    try:
        archive, problem = archive_root(), ""
    except ArchiveUnavailable as exc:
        archive, problem = None, str(exc)
    return _page(
        "admin/index.html",
        status,
        archive=archive,
        problem=problem,
        results=results or [],
        reingest=reingest_status() if archive else {},
        upload_limit_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
    )


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    """Upload form, re-ingest button and the last re-ingest's report."""
    return _dashboard()


# --------------------------------------------------------------------------- upload


@dataclass(frozen=True)
class UploadOutcome:
    """What happened to one uploaded file."""

    name: str
    ok: bool
    message: str
    status: int = 200


def _ingest_message(stored_path: Any, archive: Any) -> str:
    try:
        report = ingest_file(stored_path, archive)
    except (EngineUnavailable, IncompatibleIndex) as exc:
        current_app.logger.error("upload kept but not ingested: %s", exc)
        return f"已保存，但暂时无法导入（检索引擎不可用）。{_INDEX_LATER}"
    except OSError as exc:
        current_app.logger.error("upload kept but not ingested: %s", exc)
        return f"已保存，但导入失败：{io_failure_message(exc)}"
    if report.skipped:
        return f"已保存，但未能提取正文：{report.skipped[0][1]}"
    return f"已保存并导入：文章 {report.articles} 篇，段落 {report.paragraphs} 段。"


@bp.post("/upload")
@login_required
def upload() -> tuple[str, int]:
    """Keep each uploaded file in the archive (checked, safely named, not twice) and ingest it."""
    try:
        archive = archive_root()
    except ArchiveUnavailable as exc:
        abort(409, str(exc))
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        return _dashboard(400, [UploadOutcome("—", False, "请先选择要上传的文件。", 400)])
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    results: list[UploadOutcome] = []
    try:
        with write_lock():
            for item in files:
                name = item.filename or ""
                data = item.stream.read(limit + 1)
                if len(data) > limit:
                    results.append(UploadOutcome(name, False, f"文件过大：单个文件最多 {limit // 2**20} MB。", 413))
                    continue
                try:
                    # The work copy sits in the archive's own hidden folder: same file system, so
                    # publishing it is one hard link, and the indexer never reads it.
                    incoming = archive / ".portal" / "incoming"
                    stored = store_upload(archive, incoming, name, request.form.get("folder", ""), data)
                except AlreadyInArchive as exc:
                    results.append(UploadOutcome(name, False, str(exc), 409))
                    continue
                except UploadRejected as exc:
                    results.append(UploadOutcome(name, False, str(exc), 400))
                    continue
                current_app.logger.info("upload by %s: %s", current_user(), stored.relative)
                results.append(UploadOutcome(stored.relative, True, _ingest_message(stored.path, archive)))
    except IngestBusy as exc:
        return _dashboard(503, [UploadOutcome("—", False, f"{exc} 文件未保存。", 503)])
    failed = [r.status for r in results if not r.ok]
    status = 200 if not failed else (400 if 400 in failed else max(failed))
    return _dashboard(status, results)


# --------------------------------------------------------------------------- re-ingest


@bp.post("/reingest")
@login_required
def reingest() -> Response:
    """Start ``python -m indexer ingest ARCHIVE_DIR`` in the background (incremental)."""
    try:
        start_reingest(archive_root(), current_user() or "")
    except ArchiveUnavailable as exc:
        abort(409, str(exc))
    except IngestBusy as exc:
        flash(str(exc), "error")
    else:
        flash("已开始重新导入档案文件夹；完成后在本页查看报告。", "success")
    return redirect(url_for("admin.index"))  # type: ignore[return-value]


# --------------------------------------------------------------------------- one article


@dataclass(frozen=True)
class ArticleTarget:
    """An article and the archive file it comes from."""

    first: IndexDocument
    docs: list[IndexDocument]
    archive: Any
    file: Any


def _target(article_id: str, *, must_exist: bool = True) -> ArticleTarget:
    """The article and its archive file; 404/409 when there is none the admin pages may touch."""
    docs = get_engine().article(article_id)
    if not docs:
        abort(404, "找不到这篇文章，它可能已被删除。")
    try:
        archive = archive_root()
    except ArchiveUnavailable as exc:
        abort(409, str(exc))
    file = file_of(docs[0].source_path, archive)
    if file is None:
        abort(409, "这篇文章的源文件不在档案文件夹（ARCHIVE_DIR）中，不能在门户中修改或删除。")
    if must_exist and not file.is_file():
        abort(409, "这篇文章的源文件已不在档案文件夹中（可能已被移走），请先重新导入档案。")
    return ArticleTarget(docs[0], docs, archive, file)


def _current_values(doc: IndexDocument) -> dict[str, str]:
    return {name: "" if getattr(doc, name) is None else str(getattr(doc, name)) for name in CORRECTION_FIELDS}


def _changes(doc: IndexDocument, submitted: dict[str, str]) -> dict[str, str]:
    """The cells to write: values that differ from the index, and every value a sidecar row already set.

    Clearing a value that inference found changes nothing (an empty cell means
    "no override"), so such a field is left alone.
    """
    current, origins = _current_values(doc), dict(doc.origins or {})
    changes: dict[str, str] = {}
    for name in CORRECTION_FIELDS:
        new = submitted.get(name, "").strip()
        if origins.get(name) == "sidecar" or (new and new != current[name]):
            changes[name] = new
    return changes


def _edit_page(
    target: ArticleTarget, status: int = 200, error: str = "", values: dict[str, str] | None = None
) -> tuple[str, int]:
    return _page(
        "admin/edit.html",
        status,
        doc=target.first,
        relative=target.file.relative_to(target.archive.resolve()).as_posix(),
        values=values or _current_values(target.first),
        origins=dict(target.first.origins or {}),
        facets=registry.correctable(),
        error=error,
    )


@bp.route("/articles/<article_id>/edit", methods=["GET", "POST"])
@login_required
def edit(article_id: str) -> Any:
    """Correct the registry's correctable facets (genre, level, township, unit, period, year).

    Saved as a sidecar row, re-ingested at once.
    """
    target = _target(article_id)
    if request.method == "GET":
        return _edit_page(target)
    submitted = {name: request.form.get(name, "") for name in CORRECTION_FIELDS}
    changes = _changes(target.first, submitted)
    if not changes:
        flash("没有改动。", "info")
        return redirect(url_for("article.show", article_id=article_id))
    try:
        with write_lock():
            record_correction(target.archive, target.file, target.first.title, changes)
            current_app.logger.info("correction by %s: %s %s", current_user(), target.file, changes)
            try:
                ingest_file(target.file, target.archive, force=True)
            except (EngineUnavailable, IncompatibleIndex, OSError) as exc:
                current_app.logger.error("correction saved, index not updated: %s", exc)
                flash(f"修改已保存到 metadata.csv，但索引暂未更新。{_INDEX_LATER}", "error")
                return redirect(url_for("admin.index"))
    except CorrectionError as exc:
        return _edit_page(target, 400, str(exc), submitted)
    except IngestBusy as exc:
        return _edit_page(target, 503, f"{exc} 修改未保存。", submitted)
    flash("已保存修改（记录在档案的 metadata.csv 中），并已重新导入该文件。", "success")
    return redirect(url_for("article.show", article_id=article_id))


@bp.route("/articles/<article_id>/delete", methods=["GET", "POST"])
@login_required
def delete(article_id: str) -> Any:
    """Delete the article's file: moved to ARCHIVE_DIR/.trash/, its paragraphs removed from the index."""
    target = _target(article_id, must_exist=False)  # a file already gone still leaves paragraphs to remove
    relative = target.file.relative_to(target.archive.resolve()).as_posix()
    if request.method == "GET":
        paragraphs = get_engine().search(SearchRequest(filters={"source": (target.first.source_path,)}, page_size=0))
        return _page("admin/delete.html", doc=target.first, relative=relative, paragraphs=paragraphs.total)
    try:
        with write_lock():
            trashed = move_to_trash(target.file, target.archive) if target.file.exists() else None
            try:
                remove_source(target.first.source_path)
            except BaseException:
                if trashed is not None:  # put the file back: a failed delete must lose nothing
                    restore_from_trash(trashed, target.file)
                raise
    except IngestBusy as exc:
        flash(f"{exc} 文章未删除。", "error")
        return redirect(url_for("admin.delete", article_id=article_id))
    current_app.logger.info("delete by %s: %s -> %s", current_user(), relative, trashed)
    where = f"，文件已移到 {trashed.relative_to(target.archive).as_posix()}" if trashed else ""
    flash(f"已删除《{target.first.title}》所在文件 {relative} 的全部内容{where}。", "success")
    return redirect(url_for("search.index"))
