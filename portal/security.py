"""Security defaults: response headers, and the same-origin check for POSTs.

The headers go on every response, error pages and downloads included (an
``after_request`` hook runs for those too). Every POST must come from a
page of this site (Origin/Referer) in addition to carrying a CSRF token
(portal.csrf): two independent checks, so one mistake does not open the door.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Request, Response, abort, request

#: Only our own files may run or style anything. Inline <svg> markup is fine;
#: inline <script>, style="" attributes and event handler attributes are not.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
#: Methods that change something and therefore must come from our own pages.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


#: (lower-case name, name, value) of each security header, for add_security_headers.
_SECURITY_ITEMS = tuple((name.lower(), name, value) for name, value in SECURITY_HEADERS.items())


def add_security_headers(response: Response) -> Response:
    """Set the headers every response carries (error pages and downloads too); one a view set itself stays."""
    headers = response.headers
    # One pass over the response's headers instead of a case-insensitive search of them per security
    # header (Headers.setdefault): every response pays this, about 4 µs instead of 18.
    present = set(headers.keys(lower=True))
    for lower, name, value in _SECURITY_ITEMS:
        if lower not in present:
            headers.add(name, value)
    return response


def is_same_origin(request: Request) -> bool:
    """True when the Origin (or, failing that, Referer) header names this host.

    Browsers send Origin on every cross-site POST, so a form posted from
    another site is refused. Only the host[:port] is compared, not the
    scheme: behind nginx terminating TLS the app itself sees plain http.
    A request with neither header is refused — no browser sends such a POST.
    """
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if not claimed or claimed == "null":
        return False
    return urlsplit(claimed).netloc.lower() == request.host.lower()


def require_same_origin() -> None:
    """before_request: refuse (403) a state-changing request another site could have sent."""
    # An unrouted request (404/405) changes nothing: let routing say so.
    if request.endpoint is not None and request.method in UNSAFE_METHODS and not is_same_origin(request):
        abort(403)


def init_app(app: Flask) -> None:
    """Register the header hook and the same-origin check."""
    app.after_request(add_security_headers)
    app.before_request(require_same_origin)
