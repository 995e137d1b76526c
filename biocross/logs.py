"""Logging of every biocross process, configured once by its entry point.

Every line carries the request id, adapter and run id of the work it belongs to (``schemas.logcontext``;
``-`` where there is none). ``BIOCROSS_LOG_FORMAT=json`` writes one JSON object per line for a log
collector; the default is one readable text line.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from schemas import logcontext

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [request=%(request_id)s adapter=%(adapter)s run=%(run_id)s]: %(message)s"
HANDLER_NAME = "biocross"
#: Loggers whose per-request lines drown the rest (the Elasticsearch client, the simulated sources' access log).
NOISY = ("elastic_transport.transport", "aiohttp.access")


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each line to ``sys.stderr`` as it is then: runners that swap stderr (test captures, a
    CLI runner) and later close their stream do not leave the handler writing to a closed file."""

    @property
    def stream(self) -> Any:
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        """Ignored: the stream is always the current ``sys.stderr``."""


class ContextFilter(logging.Filter):
    """Puts the bound context on each record (a value passed in ``extra`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in logcontext.FIELDS.items():
            if getattr(record, name, None) is None:
                setattr(record, name, var.get() or "-")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        for name in logcontext.FIELDS:
            value = getattr(record, name, "-")
            entry[name] = None if value == "-" else value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(fmt: Literal["text", "json"] = "text", level: int | str = logging.INFO) -> None:
    """Send every logger's lines to stderr in ``fmt``, with the context on each (idempotent)."""
    handler = StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:  # configured before: replace ours only
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
