"""The OpenAPI description of responses the routes share: problem documents and feeds."""

from __future__ import annotations

CALENDAR = {"text/calendar": {"schema": {"type": "string"}}}

#: A feed's answers: the calendar, not modified, unknown, revoked.
FEED_RESPONSES = {
    200: {"description": "The feed, as iCalendar (RFC 5545)", "content": CALENDAR},
    304: {"description": "Not modified: the client's copy (If-None-Match, If-Modified-Since)"},
    404: {"description": "No such feed"},
    410: {"description": "The feed was revoked: remove the subscription"},
}
