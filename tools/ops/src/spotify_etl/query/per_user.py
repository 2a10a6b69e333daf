"""``spotify-etl query --user``: one statement rewritten to read one user's rows only (pure).

Views are read as what they select: every view the statement names (and every
view those name) is inlined as a subquery of its Athena SQL, then every
user-scoped table (:data:`~spotify_etl_common.tables.USER_SCOPED_TABLES`) the
result reads becomes ``(SELECT * FROM <table> WHERE user_id = '<uid>') AS
<table>``. So a view answers as if the lake held that user alone (``songs``:
added to their playlists; ``affinity``: nothing, it needs two users), whatever
the engine, and dimensions (tracks, albums, artists...) are read whole. The
same rewrite serves DuckDB and Athena: the statement is read and written in
the engine's dialect, the views always read as Athena's.

Every table a view reads is first qualified with the schema the tables live in
(``main`` on DuckDB, the Glue database on Athena): inlined into another view, an
unqualified ``artists`` would otherwise name that view's own CTE ``artists``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence

import sqlglot
from spotify_etl_common.tables import USER_SCOPED_TABLES
from spotify_etl_views import View
from sqlglot import exp
from sqlglot.optimizer.scope import traverse_scope

VIEW_DIALECT = "athena"
MAX_DEPTH = 20
"""Views inlined into views at most (the packaged ones nest four deep)."""


def _real_tables(tree: exp.Expr) -> list[exp.Table]:
    """Table references that name a table or view, not a CTE of the statement."""
    return [
        source
        for scope in traverse_scope(tree)
        for source in scope.sources.values()
        if isinstance(source, exp.Table)
    ]


def _qualified(tree: exp.Expr, schema: str) -> exp.Expr:
    """``tree`` with every table (or view) it reads qualified by ``schema`` (CTEs stay)."""
    for table in _real_tables(tree):
        if not table.args.get("db"):
            table.set("db", exp.to_identifier(schema))
    return tree


def _replace(
    tree: exp.Expr, names: Collection[str], by: Callable[[exp.Table], exp.Expr]
) -> tuple[exp.Expr, bool]:
    """``tree`` with every real reference to one of ``names`` replaced (once, not inside)."""
    targets = {id(t) for t in _real_tables(tree) if t.name in names and not t.args.get("catalog")}
    if not targets:
        return tree, False

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and id(node) in targets:
            return exp.Subquery(
                this=by(node), alias=exp.TableAlias(this=exp.to_identifier(node.alias_or_name))
            )
        return node

    return tree.transform(swap, copy=False), True


@functools.lru_cache(maxsize=256)
def _parsed(view: View, schema: str) -> exp.Expr:
    return _qualified(sqlglot.parse_one(view.select, read=VIEW_DIALECT), schema)


def inline_views(tree: exp.Expr, views: Sequence[View], schema: str) -> exp.Expr:
    """``tree`` with every view it reads, directly or through views, inlined."""
    selects = {v.name: _parsed(v, schema) for v in views}
    for _ in range(MAX_DEPTH):
        tree, changed = _replace(tree, selects, lambda t: selects[t.name].copy())
        if not changed:
            return tree
    raise ValueError(f"views nest more than {MAX_DEPTH} deep")


def one_users_rows(table: exp.Table, user_id: str) -> exp.Select:
    """``SELECT * FROM <schema>.<table> WHERE user_id = '<uid>'``."""
    return (
        exp.select("*")
        .from_(exp.table_(table.name, db=table.args["db"].copy() if table.args.get("db") else None))
        .where(exp.column("user_id").eq(exp.Literal.string(user_id)))
    )


def for_user(sql: str, user_id: str, views: Sequence[View], dialect: str, schema: str) -> str:
    """``sql`` (one query in ``dialect`` over the tables and views of ``schema``) reading only
    ``user_id``'s rows; ``ValueError`` for anything but one query."""
    try:
        statements = sqlglot.parse(sql, read=dialect)
    except sqlglot.errors.ParseError as error:
        raise ValueError(f"--user: cannot read the SQL: {error}") from error
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise ValueError("--user filters one query (SELECT or WITH ... SELECT); got another")
    tree = inline_views(_qualified(statements[0], schema), views, schema)
    tree, _ = _replace(tree, USER_SCOPED_TABLES, lambda t: one_users_rows(t, user_id))
    return tree.sql(dialect=dialect)
