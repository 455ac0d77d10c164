"""Errors a training session raises, importable without loading the engine (the CLI and
the app import them at start-up, before any scenario is read)."""

from __future__ import annotations


class SessionError(Exception):
    """A session cannot start or continue; the message says why and what to do."""


class TimeUp(SessionError):
    """A time limit ran out: the attempt is closed and graded on what was answered."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # "exam_time" or "reply_time"
