"""Logging filters."""

from __future__ import annotations

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """A refused permission (403) is an ordinary answer, not an error: its ``django.request`` line stays
    (path and status) but without the traceback Django attaches to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
