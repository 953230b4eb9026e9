"""HTTP caching of calendar feeds: ``ETag``, ``Last-Modified``, conditional GET and HEAD.

Calendar apps poll a subscription every few hours for as long as it exists; a feed whose body
is a function of its data answers them ``304 Not Modified`` until something changes. The
rules are RFC 9110's: ``If-None-Match`` compares entity tags weakly and ``*`` matches any
current representation (13.1.2); ``If-Modified-Since`` counts only without ``If-None-Match``
(13.1.3); a ``HEAD`` answer has the headers of the ``GET`` answer and no body (9.3.2).

>>> from datetime import UTC, datetime
>>> tag = etag_of(b"BEGIN:VCALENDAR")
>>> not_modified({"if-none-match": f"W/{tag}"}, tag, datetime(2026, 1, 1, tzinfo=UTC))
True
>>> not_modified({"if-modified-since": "Wed, 31 Dec 2025 23:59:59 GMT"}, tag,
...              datetime(2026, 1, 1, tzinfo=UTC))
False
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from anyio import CancelScope
from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

ICS = "text/calendar; charset=utf-8"

#: The methods a feed answers (and lists in ``Allow``).
FEED_METHODS = ("GET", "HEAD", "OPTIONS")

#: Subscribed calendars are private to the token holder; term calendars are public.
PRIVATE, PUBLIC = "private, max-age=3600", "public, max-age=3600"


def etag_of(body: bytes) -> str:
    """A strong entity tag: the body's hash, so it changes exactly when the body does."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def not_modified(headers: Mapping[str, str], etag: str, modified: datetime) -> bool:
    """Whether a conditional GET or HEAD may be answered 304 (RFC 9110 13.1.2, 13.1.3)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {_opaque(tag) for tag in if_none_match.split(",")}
        return "*" in tags or _opaque(etag) in tags
    since = _http_date(headers.get("if-modified-since"))
    return since is not None and _second(modified) <= since


def calendar_response(request: Request, body: bytes, modified: datetime, cache: str) -> Response:
    """The answer to a GET or HEAD of a calendar whose body is ``body``, last changed at
    ``modified``: 304 when the client's copy is current, headers only for HEAD."""
    etag = etag_of(body)
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(_second(modified), usegmt=True),
        "Cache-Control": cache,
    }
    if not_modified(request.headers, etag, modified):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(media_type=ICS, headers=headers)
    return Response(body, media_type=ICS, headers=headers)


def options_response() -> Response:
    """``OPTIONS``: what a feed's URL answers (RFC 9110 9.3.7)."""
    return Response(status_code=204, headers={"Allow": ", ".join(FEED_METHODS)})


def _opaque(tag: str) -> str:
    """The opaque part of an entity tag, for weak comparison: ``W/"x"`` and ``"x"`` match."""
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def _http_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None  # an invalid date is ignored (RFC 9110 13.1.3)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _second(stamp: datetime) -> datetime:
    """HTTP dates have whole seconds, in UTC."""
    stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    return stamp.replace(microsecond=0)


def gzip_etag(etag: str) -> str:
    """The entity tag of the gzip-compressed form of the body tagged ``etag``: a strong tag
    names one representation (RFC 9110 8.8.3), and the compressed bytes are another."""
    return etag[:-1] + '-gzip"'


def accepts_gzip(headers: Mapping[str, str]) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (RFC 9110 12.5.3): named, or ``*``, without
    ``q=0``."""
    for item in headers.get("accept-encoding", "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            quality = params.strip().lower().removeprefix("q=") if params else "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def streamed_calendar_response(
    request: Request,
    etag: str,
    modified: datetime,
    cache: str,
    pieces: Iterator[bytes],
    close: Callable[[], None],
    level: int = 1,
) -> Response:
    """:func:`calendar_response` for a body written as it is sent (``pieces``), whose
    ``etag`` and ``modified`` are known before it: gzip-compressed on the way to a client
    that accepts gzip (its own ETag, RFC 9110 8.8.3), without a Content-Length. ``close``
    releases what ``pieces`` reads from: called once the body is sent or the client has gone,
    or at once when no body is sent (304, HEAD). Compression ``level`` 1: a team feed's
    events are much alike, so it packs them nearly as small as level 6 in half the time."""
    compressed = accepts_gzip(request.headers)
    headers = {
        "ETag": gzip_etag(etag) if compressed else etag,
        "Last-Modified": format_datetime(_second(modified), usegmt=True),
        "Cache-Control": cache,
        "Vary": "Accept-Encoding",
    }
    if not_modified(request.headers, etag, modified) or not_modified(
        request.headers, gzip_etag(etag), modified
    ):
        close()
        return Response(status_code=304, headers=headers)
    if compressed:
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        close()
        return Response(media_type=ICS, headers=headers)
    body = _gzip(pieces, level) if compressed else pieces
    return _ClosingStream(body, close, media_type=ICS, headers=headers)


def _gzip(pieces: Iterator[bytes], level: int) -> Iterator[bytes]:
    pack = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: the gzip format
    for piece in pieces:
        packed = pack.compress(piece)
        if packed:
            yield packed
    yield pack.flush()


class _ClosingStream(StreamingResponse):
    """A streamed body whose source ``close`` releases once, however the sending ends: the
    whole body sent, the client gone (a failed send, or a disconnect message that cancels the
    sending), an error. (The body's own ``finally`` would not do: a body left part-way runs it
    only when collected, in whatever thread that happens.)"""

    def __init__(self, pieces: Iterator[bytes], close: Callable[[], None], **options):
        super().__init__(pieces, **options)
        self.close = close

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # shielded: a request cancelled (the server stopping) still releases its session;
            # no thread is reading the body by now (a cancelled read waits for its thread)
            with CancelScope(shield=True):
                await run_in_threadpool(self.close)
