"""Arguments of ``spotify-etl local up|down|env`` (light: the code loads when it runs)."""

from __future__ import annotations

import argparse

from spotify_etl.lazy import lazy

_COMMANDS = "spotify_etl.local.commands"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``local`` and its sub-commands."""
    local = commands.add_parser("local", help="start, stop or show the embedded local AWS stack")
    actions = local.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start moto on loopback, create bucket and queues")
    up.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    up.set_defaults(run=lazy(_COMMANDS, "run_up"))
    down = actions.add_parser("down", help="stop the local stack")
    down.set_defaults(run=lazy(_COMMANDS, "run_down"))
    env = actions.add_parser("env", help="print the export lines of the running stack")
    env.set_defaults(run=lazy(_COMMANDS, "run_env"))
