"""What every subcommand shares: the parsed arguments, settings, the content library, the store."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from qa_sim.config import Settings

if TYPE_CHECKING:
    from qa_sim.library import ContentLibrary
    from qa_sim.progress.store import Store
    from qa_sim.progress.track import Track


class CliError(Exception):
    """A user-facing failure: printed as `qa-sim: message`, exit `code`."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Context:
    args: argparse.Namespace
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def library(self) -> ContentLibrary:
        from qa_sim.library import ContentLibrary

        return ContentLibrary(self.settings.content_folders(self.args.content))

    @cached_property
    def store(self) -> Store:
        """The progress database (--db, QA_SIM_DB or the user data folder), opened once."""
        from qa_sim.progress.errors import StoreError
        from qa_sim.progress.store import Store

        try:
            return Store.open(getattr(self.args, "db", None))
        except StoreError as exc:
            raise CliError(str(exc)) from None

    def track(self, ref: str | None = None) -> Track:
        from qa_sim.tracks import TrackError, find_track

        try:
            return find_track(self.library, ref)
        except TrackError as exc:
            raise CliError(str(exc)) from None
