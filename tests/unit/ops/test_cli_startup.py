"""The CLI starts light: building the parser (``--help``) imports no DuckDB, Polars, AWS client
or rich, and each command's run function is imported only when it runs (rich only when a table
or a bar is drawn)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest
from spotify_etl.cli import build_parser
from spotify_etl.lazy import LazyCommand

HEAVY = (
    "duckdb",
    "polars",
    "pyarrow",
    "sqlglot",
    "aiobotocore",
    "botocore",
    "boto3",
    "moto",
    "rich",
)


def _loaded_after(code: str) -> list[str]:
    """The HEAVY modules a fresh interpreter holds after running ``code``."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps(sorted(set({HEAVY!r}) & set(sys.modules))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_building_the_parser_loads_no_heavy_module() -> None:
    code = "from spotify_etl.cli import build_parser\nbuild_parser().format_help()"
    assert _loaded_after(code) == []


def test_help_exits_without_loading_duckdb_or_polars() -> None:
    code = (
        "from spotify_etl.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert _loaded_after(code) == []


def test_the_status_command_loads_no_duckdb_or_polars() -> None:
    """Its run function and everything it imports: the AWS clients, not the query engines."""
    code = (
        "from spotify_etl.cli import build_parser\n"
        "build_parser().parse_args(['status']).run.resolve()"
    )
    loaded = _loaded_after(code)
    assert "aiobotocore" in loaded  # the command's own module was imported
    assert not {"duckdb", "polars"} & set(loaded)  # (rich is: httpx imports it when installed)


def test_csv_and_json_query_output_loads_no_rich() -> None:
    code = (
        "from spotify_etl.query.output import render\n"
        "render('csv', ['a'], [[1]]); render('json', ['a'], [[1]])"
    )
    assert _loaded_after(code) == []


def test_listing_the_views_loads_no_query_engine() -> None:
    code = (
        "import contextlib, io\n"
        "from spotify_etl.cli import build_parser\n"
        "args = build_parser().parse_args(['views'])\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert args.run(args) == 0\n"
        "assert 'distinct_plays' in out.getvalue()"
    )
    assert not {"duckdb", "polars", "aiobotocore"} & set(_loaded_after(code))


def test_the_lake_status_loads_no_aws_client_or_query_engine() -> None:
    code = (
        "from spotify_etl.cli import build_parser\n"
        "build_parser().parse_args(['local', 'status']).run.resolve()"
    )
    assert _loaded_after(code) == []


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> dict[str, object]:
    """Every leaf command's ``run`` default, by its words (``dlq list``)."""
    found: dict[str, object] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _commands(sub, (*path, name))
    if not found and path:
        found[" ".join(path)] = parser.get_default("run")
    return found


COMMANDS = _commands(build_parser())


def test_every_command_is_registered() -> None:
    assert sorted(COMMANDS) == [
        "dlq list",
        "dlq redrive",
        "dlq show",
        "import-history",
        "local down",
        "local env",
        "local purge",
        "local status",
        "local up",
        "maintain",
        "migrate-tables",
        "purge-user",
        "query",
        "replay",
        "report",
        "run-local",
        "status",
        "views",
    ]


@pytest.mark.parametrize("words", sorted(COMMANDS))
def test_each_lazy_command_resolves_to_its_run_function(words: str) -> None:
    run = COMMANDS[words]
    assert isinstance(run, LazyCommand)
    function = run.resolve()
    assert callable(function)
    assert function.__module__ == run.module
