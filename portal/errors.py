"""Error pages and JSON errors: what went wrong, in Chinese, never a stack trace.

Pages get an HTML page; ``/api/*`` and ``/healthz`` get ``{"error": reason}``.
Every error is logged: client errors at INFO/WARNING, server errors with
their traceback at ERROR.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from engine.contract import EngineUnavailable, IncompatibleIndex
from engine.request import InvalidParameter
from portal.responses import json_response
from portal.uploads import UPLOAD_ENDPOINTS

REBUILD_COMMAND = "python -m indexer ingest --rebuild 文件夹…"


@dataclass(frozen=True)
class ErrorInfo:
    """What an error page says."""

    status: int
    title: str
    message: str
    hint: str = ""


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(info: ErrorInfo) -> Response | tuple[str, int]:
    """Render ``info`` as JSON or HTML depending on the route."""
    if _wants_json():
        return json_response({"error": info.message}, info.status)
    return render_template("error.html", error=info), info.status


def _engine_errors() -> tuple[type[BaseException], ...]:
    """Client errors that mean "Elasticsearch unreachable" if they ever escape the engine."""
    try:
        import elastic_transport
    except ImportError:  # pragma: no cover - the embedded-only install
        return ()
    return (elastic_transport.TransportError,)


def handle_invalid_parameter(exc: InvalidParameter) -> Response | tuple[str, int]:
    """400 with the validator's own reason."""
    current_app.logger.info("400 %s: %s", request.full_path, exc)
    return error_response(ErrorInfo(400, "请求参数有误", str(exc), "请检查地址栏中的参数，或返回检索页重新检索。"))


def handle_unavailable(exc: Exception) -> Response | tuple[str, int]:
    """503: the engine cannot be reached. The details go to the log, not to the user."""
    current_app.logger.error("503 engine unavailable on %s: %s", request.path, exc)
    return error_response(
        ErrorInfo(
            503,
            "检索引擎暂时不可用",
            "检索引擎暂时不可用，请稍后再试。",
            "如果持续出现，请联系管理员检查检索服务（Elasticsearch）或索引目录是否正常。",
        )
    )


def handle_incompatible(exc: IncompatibleIndex) -> Response | tuple[str, int]:
    """503: the index was built by another version and must be rebuilt."""
    current_app.logger.error("503 incompatible index: %s", exc)
    return error_response(
        ErrorInfo(
            503,
            "索引需要重建",
            f"索引由另一版本的程序建立，当前无法读取。请运行 {REBUILD_COMMAND} 重建索引。",
            f"管理员在服务器上运行：{REBUILD_COMMAND}",
        )
    )


_HTTP_TEXT = {
    400: ("请求有误", "请求无法处理。"),
    401: ("需要登录", "请先登录。"),
    403: ("拒绝访问", "此操作只能从本站页面发起。"),
    404: ("找不到页面", "您要找的页面不存在，可能链接已过期。"),
    405: ("不支持的操作", "此地址不支持这种请求方式。"),
    409: ("无法执行", "此操作与当前状态冲突。"),
    413: ("请求过大", "提交的内容过多。"),
    429: ("请求过于频繁", "请稍后再试。"),
}


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _too_large_message() -> str:
    """413 with the limit that was exceeded (uploads have a larger one than everything else)."""
    limit = request.max_content_length
    if request.endpoint in UPLOAD_ENDPOINTS:
        upload_limit = current_app.config["UPLOAD_MAX_BYTES"]
        return f"上传的文件过大：一次最多上传 {_size(upload_limit)}。请分开上传，或压缩图片后再试。"
    return f"提交的内容过多：一次最多 {_size(limit)}。" if limit else "提交的内容过多。"


def handle_http(exc: HTTPException) -> Response | tuple[str, int]:
    """Werkzeug's HTTP errors (404, 405, 403 …) in our own words."""
    status = exc.code or 500
    title, message = _HTTP_TEXT.get(status, ("请求无法完成", exc.description or ""))
    if status == 413:
        message = _too_large_message()
    # abort(404, "找不到这篇文章") passes a more precise reason: prefer it when it is ours (Chinese).
    if exc.description and any("\u4e00" <= ch <= "\u9fff" for ch in exc.description):
        message = exc.description
    current_app.logger.log(30 if status != 404 else 20, "%s %s: %s", status, request.full_path, message)
    return error_response(ErrorInfo(status, title, message, "返回检索页继续查找。"))


def handle_unexpected(exc: Exception) -> Response | tuple[str, int]:
    """500: logged with its traceback; the user sees an apology, never the trace."""
    current_app.logger.exception("500 on %s", request.full_path)
    return error_response(
        ErrorInfo(500, "服务器出错了", "服务器内部错误，请稍后再试。", "错误已记录，管理员可在日志中查看。")
    )


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(InvalidParameter, handle_invalid_parameter)
    app.register_error_handler(EngineUnavailable, handle_unavailable)
    for error in _engine_errors():
        app.register_error_handler(error, handle_unavailable)
    app.register_error_handler(IncompatibleIndex, handle_incompatible)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
