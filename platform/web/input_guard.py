"""The one place where request input is checked before any handler sees it.

- NUL characters: PostgreSQL refuses them in text (SQLite stores them), so they
  are refused here on both engines: 400 in the path or the query string, 422 in
  a JSON or form body.
- JSON bodies: a route that reads JSON accepts only ``application/json`` (415
  otherwise: a cross-site HTML form can send ``text/plain`` but never JSON), and
  JSON nested deeper than ``MAX_JSON_DEPTH`` is refused with 400 before a
  decoder or a serialiser can recurse on it.

File uploads (multipart) are left alone: a file may hold any byte."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes

from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import ClientException, HTTPException
from litestar.status_codes import (
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)
from litestar.types import ASGIApp, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send

from comptoir.platform.errors import ComptoirError, ValidationFailed

MAX_JSON_DEPTH = 32
MAX_BODY_BYTES = 10_000_000  # Litestar's own default limit
NUL_MESSAGE = "must not contain NUL characters"
# A JSON string (its escapes included), to be skipped when counting brackets.
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
JSON_BRACKET = re.compile(rb"[\[\]{}]")
# \u0000 preceded by an even number of backslashes (an odd one would escape it).
JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class BadRequest(ComptoirError):
    status_code = 400
    title = "Bad request"
    type_slug = "bad-request"


def _has_nul(raw: bytes) -> bool:
    """Whether percent-decoding ``raw`` (a query string or a form body) gives a NUL."""
    return b"\x00" in unquote_to_bytes(raw.replace(b"+", b" "))


def json_depth(body: bytes) -> int:
    depth = deepest = 0
    for bracket in JSON_BRACKET.findall(JSON_STRING.sub(b'""', body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _body_encoding(scope: Scope) -> RequestEncodingType | None:
    """How the matched handler reads its ``data``, if it reads one."""
    handler: Any = scope.get("route_handler")
    if handler is None:
        return None
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None
    media_type = getattr(data.kwarg_definition, "media_type", None)
    return RequestEncodingType(media_type) if media_type else RequestEncodingType.JSON


def _content_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise HTTPException(status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> ReceiveMessage:
        nonlocal sent
        if not sent:
            sent = True
            message: HTTPRequestEvent = {"type": "http.request", "body": body, "more_body": False}
            return message
        return await receive()

    return replayed


def check_json(body: bytes) -> None:
    if json_depth(body) > MAX_JSON_DEPTH:
        raise BadRequest(f"JSON nested more than {MAX_JSON_DEPTH} levels deep is refused.")
    if b"\x00" in body or JSON_NUL_ESCAPE.search(body):
        raise ValidationFailed({"body": NUL_MESSAGE})


def check_form(body: bytes) -> None:
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        if _has_nul(name) or _has_nul(value):
            field = unquote_to_bytes(name.replace(b"+", b" ")).replace(b"\x00", b"")
            raise ValidationFailed({field.decode("utf-8", "replace") or "body": NUL_MESSAGE})


def input_guard_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        if "\x00" in scope["path"] or _has_nul(scope.get("query_string", b"")):
            raise BadRequest(f"The address {NUL_MESSAGE}.")
        encoding = _body_encoding(scope)
        content_type = _content_type(scope)
        if encoding is RequestEncodingType.JSON:
            body = await _read_body(receive)
            if body and not _is_json(content_type):
                raise ClientException(
                    status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                    detail="This endpoint reads JSON: send Content-Type: application/json.",
                )
            check_json(body)
            receive = _replay(body, receive)
        elif content_type == RequestEncodingType.URL_ENCODED.value:
            body = await _read_body(receive)
            check_form(body)
            receive = _replay(body, receive)
        await app(scope, receive, send)

    return middleware
