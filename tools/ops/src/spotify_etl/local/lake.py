"""The lake on disk: how big it is, and deleting it (and the words that say so)."""

from __future__ import annotations

import shutil
from pathlib import Path

_UNITS = ("B", "KB", "MB", "GB", "TB")


def disk_usage(directory: Path) -> int:
    """Bytes the files under ``directory`` take on disk (allocated blocks, as ``du`` counts)."""
    if not directory.exists():
        return 0
    total = 0
    for path in directory.rglob("*"):
        try:
            stat = path.lstat()
        except FileNotFoundError:
            continue  # removed while walking
        if path.is_file() and not path.is_symlink():
            total += stat.st_blocks * 512
    return total


def human_size(size: int) -> str:
    """``size`` bytes as ``1.5 GB`` (powers of 1000, one decimal past bytes)."""
    value = float(size)
    for unit in _UNITS:
        if value < 1000 or unit == _UNITS[-1]:
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def secrets(count: int) -> str:
    """``1 secret``, ``2 secrets``."""
    return f"{count} secret" if count == 1 else f"{count} secrets"


def purge(directory: Path) -> None:
    """Delete the lake directory and everything in it (nothing if it is not there)."""
    if directory.exists():
        shutil.rmtree(directory)
