"""Secrets out of e-mail text: links that carry a token (password reset,
invitation) are cut before the token, so that what staff read, and what the
outbox keeps once a message is sent, never works as a link."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

REDACTED = "[redacted]"
URL = re.compile(r"https?://[^\s<>\"']+")
TRAILING = ".,;:!?)]}"
SEGMENT = re.compile(r"^[A-Za-z0-9_-]{16,}$")


def is_token(segment: str) -> bool:
    """Whether a path segment or query value looks like a secret: long,
    URL-safe, and random-looking (upper case or ``_``, as in
    ``secrets.token_urlsafe``, or a long run of letters and digits without the
    hyphens of a slug or an id)."""
    if not SEGMENT.match(segment):
        return False
    if any(c.isupper() or c == "_" for c in segment):
        return True
    return len(segment) >= 32 and "-" not in segment and any(c.isdigit() for c in segment)


def redact_url(url: str) -> str:
    """The URL cut at its first token: ``https://host/w/acme/password/reset/[redacted]``."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        if is_token(segment):
            path = "/".join([*segments[:index], REDACTED])
            return f"{parts.scheme}://{parts.netloc}{path}"
    if parts.query and any(is_token(value) for _, value in parse_qsl(parts.query)):
        return f"{parts.scheme}://{parts.netloc}{parts.path}?{REDACTED}"
    return url


def redact(text: str) -> str:
    """``text`` with every link that carries a token cut before it."""

    def replace(found: re.Match[str]) -> str:
        url = found.group(0)
        stripped = url.rstrip(TRAILING)
        return redact_url(stripped) + url[len(stripped) :]

    return URL.sub(replace, text)
