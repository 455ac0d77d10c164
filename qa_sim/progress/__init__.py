"""Persistence and certification: the only package that imports sqlite_utils."""
