"""Commands whose code is imported only when they run, so building the parser stays light.

Each command group registers its arguments from a light ``parser`` module and
names its run function by module and attribute (:class:`LazyCommand`): the
module, with DuckDB, Polars or the AWS clients behind it, is imported when the
command runs, not when ``spotify-etl --help`` or another command starts.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

Run = Callable[[argparse.Namespace], int]


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """A command's run function, ``module.function``, imported on the first call."""

    module: str
    function: str

    def resolve(self) -> Run:
        """Import the module and return the function."""
        return cast(Run, getattr(importlib.import_module(self.module), self.function))

    def __call__(self, args: argparse.Namespace) -> int:
        return self.resolve()(args)


def lazy(module: str, function: str) -> LazyCommand:
    """``set_defaults(run=lazy("spotify_etl.x.commands", "run_x"))``."""
    return LazyCommand(module, function)
