"""Web archives (.mht/.mhtml, and Word's "single file web page" saved as .doc).

A MIME multipart/related message: the first text/html part is the page, read by the
HTML reader with the part's declared charset.
"""

from __future__ import annotations

import email
import email.policy
from email.message import Message

from indexer.reading.document import Extracted, UnreadableFile
from indexer.reading.html import read_html


def read_mhtml(data: bytes) -> Extracted:
    """Read the HTML page inside a MIME web archive."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    part = _first_html_part(message)
    if part is None:
        raise UnreadableFile("web archive without an HTML page")
    payload = part.get_payload(decode=True)  # undoes quoted-printable / base64
    if not isinstance(payload, bytes) or not payload.strip():
        raise UnreadableFile("web archive with an empty HTML page")
    return read_html(payload, declared=part.get_content_charset())


def _first_html_part(message: Message) -> Message | None:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part
    return None
