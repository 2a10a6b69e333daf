"""Arguments of ``spotify-etl local up|down|env|status|purge`` (light: the code loads when it
runs)."""

from __future__ import annotations

import argparse

from spotify_etl.lazy import lazy

_COMMANDS = "spotify_etl.local.commands"
_LAKE_COMMANDS = "spotify_etl.local.lake_commands"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``local`` and its sub-commands."""
    local = commands.add_parser(
        "local", help="start, stop or show the embedded local AWS stack and its lake on disk"
    )
    actions = local.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser(
        "up",
        help="start S3 (SeaweedFS, the lake on disk) and moto on loopback, create bucket and "
        "queues, reopen the lake",
    )
    up.add_argument("--port", type=int, default=0, help="moto's port (default: a free one)")
    up.set_defaults(run=lazy(_COMMANDS, "run_up"))
    down = actions.add_parser("down", help="stop the local stack; the lake stays on disk")
    down.set_defaults(run=lazy(_COMMANDS, "run_down"))
    env = actions.add_parser("env", help="print the export lines of the running stack")
    env.set_defaults(run=lazy(_COMMANDS, "run_env"))
    status = actions.add_parser("status", help="where the lake is on disk, how big, and more")
    status.set_defaults(run=lazy(_LAKE_COMMANDS, "run_status"))
    purge = actions.add_parser("purge", help="delete the lake (after asking)")
    purge.add_argument("--yes", action="store_true", help="do not ask")
    purge.set_defaults(run=lazy(_LAKE_COMMANDS, "run_purge"))
