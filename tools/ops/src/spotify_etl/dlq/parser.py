"""Arguments of ``spotify-etl dlq list|show|redrive`` (light: the code loads when it runs)."""

from __future__ import annotations

import argparse

from spotify_etl.lazy import lazy

_COMMANDS = "spotify_etl.dlq.commands"
QUEUES = ("transform", "catalog")
"""The work queues whose dead letters the commands reach."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``dlq`` and its sub-commands."""
    dlq = commands.add_parser("dlq", help="list, show or redrive dead letters")
    actions = dlq.add_subparsers(dest="action", required=True, metavar="ACTION")

    def queue_arg(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--queue", choices=QUEUES, required=True, help="work queue whose DLQ")

    listing = actions.add_parser("list", help="dead letters with id, failed_at and reason")
    queue_arg(listing)
    listing.add_argument("--limit", type=int, default=100, help="most letters shown (default 100)")
    listing.add_argument("--json", action="store_true", help="JSON array instead of a table")
    listing.set_defaults(run=lazy(_COMMANDS, "run_list"))

    show = actions.add_parser("show", help="one dead letter: body and every attribute")
    queue_arg(show)
    show.add_argument("message_id", metavar="ID", help="message id from `dlq list`")
    show.set_defaults(run=lazy(_COMMANDS, "run_show"))

    redrive = actions.add_parser(
        "redrive",
        help="move dead letters back to the work queue (send first, then delete)",
        description=(
            "Move dead letters back to their work queue. On AWS, without --max, SQS moves "
            "them server-side (StartMessageMoveTask); otherwise (--max, or an endpoint "
            "without the API such as moto) each batch is sent to the work queue, then "
            "deleted from the DLQ. An interruption can deliver a message twice, never lose it."
        ),
    )
    queue_arg(redrive)
    redrive.add_argument("--max", type=int, default=None, help="move at most N letters")
    redrive.add_argument(
        "--dry-run", action="store_true", help="show what would move, move nothing"
    )
    redrive.set_defaults(run=lazy(_COMMANDS, "run_redrive"))
