"""Store errors, importable without loading the database library."""

from __future__ import annotations


class StoreError(Exception):
    """A store operation cannot be done; the message says what and what to do."""
