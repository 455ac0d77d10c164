"""What every subcommand shares: the parsed arguments, settings and the content library."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from functools import cached_property

from qa_sim.config import Settings
from qa_sim.library import ContentLibrary


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
        return ContentLibrary(self.settings.content_folders(self.args.content))
