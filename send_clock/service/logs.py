"""Log lines for a deployment: one JSON object per line (``--log-format json``) or plain text.

The access log (:class:`~send_clock.service.middleware.AccessLog`) passes its fields (method,
route template, status, milliseconds) as ``extra``, so a JSON line carries them as fields that a
log store can index; nothing in them is personal data.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

#: the ``extra`` fields a record may carry into its JSON line
FIELDS = ("method", "route", "status", "ms")


class JsonFormatter(logging.Formatter):
    """``{"time": ..., "level": ..., "logger": ..., "pid": ..., "message": ..., <fields>}``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": os.getpid(),
            "message": record.getMessage(),
        }
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["error"] = record.exc_info[0].__name__  # the type only: no data in logs
        return json.dumps(line)


def log_config(log_format: str) -> dict:
    """A :func:`logging.config.dictConfig` for uvicorn: send-clock's own loggers (the access
    log included) at INFO, uvicorn's at WARNING, all to stderr in ``log_format``."""
    formatter = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": {
            "send_clock": {"handlers": ["main"], "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": ["main"], "level": "WARNING", "propagate": False},
        },
    }
