"""The time zone a report is drawn in: ``--tz``, else the machine's own (checked, named)."""

from __future__ import annotations

import os
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-/]*$")


class ZoneError(ValueError):
    """A zone name that is not an IANA time zone; the message says what to pass."""


@dataclass(frozen=True)
class Zone:
    """An IANA zone name and why the report uses it."""

    name: str
    origin: str
    """"--tz", "TZ", "/etc/localtime", "/etc/timezone", or "default"."""


def check_zone(name: str) -> str:
    """``name`` if it is an IANA zone both engines know (it goes into the SQL as a literal)."""
    if not _SAFE.match(name) or name not in zoneinfo.available_timezones():
        raise ZoneError(
            f"--tz {name!r} is not an IANA time zone: pass one such as Europe/Paris, "
            "America/New_York or UTC"
        )
    return name


def machine_zone(env: Mapping[str, str], etc: Path = Path("/etc")) -> Zone:
    """The machine's zone: ``TZ``, else the zone ``/etc/localtime`` links to, else
    ``/etc/timezone``, else UTC (an unreadable or unknown name is passed over)."""
    candidates: list[tuple[str, str]] = []
    if env.get("TZ"):
        candidates.append((env["TZ"].removeprefix(":"), "TZ"))
    localtime = etc / "localtime"
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append((target.split("zoneinfo/", 1)[1], "/etc/localtime"))
    timezone = etc / "timezone"
    if timezone.is_file():
        candidates.append((timezone.read_text(encoding="utf-8").strip(), "/etc/timezone"))
    for name, origin in candidates:
        try:
            return Zone(check_zone(name), origin)
        except ZoneError:
            continue
    return Zone("UTC", "default")


def choose_zone(requested: str | None, env: Mapping[str, str] | None = None) -> Zone:
    """``--tz`` when given (checked), else the machine's zone."""
    if requested:
        return Zone(check_zone(requested), "--tz")
    return machine_zone(os.environ if env is None else env)
