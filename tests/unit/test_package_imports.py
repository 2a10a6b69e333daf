"""Every workspace package declares what it imports; the operator CLI imports no service.

Read from the source (``ast``), not by importing it: an import that only runs
on one code path counts as much as one at the top. Imports under
``if TYPE_CHECKING:`` are for the type checker (stub packages of the dev
group) and are not counted.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"extractor", "transformer", "cataloger"}


def normalise(name: str) -> str:
    """PEP 503 form of a distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, f"cannot read requirement {requirement!r}"
    return normalise(match.group(1))


@dataclass(frozen=True)
class Package:
    """One workspace member: its distribution name, dependencies, modules and source."""

    name: str
    dependencies: frozenset[str]
    modules: frozenset[str]
    directory: Path

    def sources(self) -> list[Path]:
        return sorted((self.directory / "src").rglob("*.py"))


def workspace() -> list[Package]:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = []
    for member in root["tool"]["uv"]["workspace"]["members"]:
        directory = ROOT / member
        project = tomllib.loads((directory / "pyproject.toml").read_text())
        wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
        packages.append(
            Package(
                name=normalise(project["project"]["name"]),
                dependencies=frozenset(
                    requirement_name(d) for d in project["project"].get("dependencies", [])
                ),
                modules=frozenset(Path(p).name for p in wheel),
                directory=directory,
            )
        )
    return packages


PACKAGES = workspace()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement of ``tree`` outside ``if TYPE_CHECKING:`` blocks."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imported_modules(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Top-level names of absolute imports, with their line, outside TYPE_CHECKING blocks."""
    for node in runtime_imports(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def imports_of(package: Package) -> Iterator[tuple[str, str]]:
    """(module, "file:line") for every absolute import in the package's source."""
    for path in package.sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for module, line in imported_modules(tree):
            yield module, f"{path.relative_to(ROOT)}:{line}"


@cache
def installed() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def distributions_of(module: str) -> set[str]:
    """The distributions that provide top-level ``module`` (workspace ones included)."""
    found = {normalise(d) for d in installed().get(module, [])}
    found |= {p.name for p in PACKAGES if module in p.modules}
    return found


def test_the_reader_sees_imports_inside_functions_and_skips_type_checking_blocks() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import stubs_only\nelse:\n    import runtime_a\n"
        "def f():\n    from runtime_b.x import y\n    from . import local\n"
    )
    assert sorted(m for m, _ in imported_modules(tree)) == ["runtime_a", "runtime_b", "typing"]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_every_package_declares_what_it_imports(package: Package) -> None:
    undeclared = []
    for module, where in imports_of(package):
        if module in sys.stdlib_module_names or module in package.modules:
            continue
        providers = distributions_of(module)
        if not providers & package.dependencies:
            wanted = " or ".join(sorted(providers)) or f"the distribution of {module!r}"
            undeclared.append(f"{where}: imports {module}, so declare {wanted}")
    assert not undeclared, f"{package.name}'s pyproject.toml misses:\n" + "\n".join(undeclared)


def test_the_operator_cli_imports_no_service_package() -> None:
    (cli,) = [p for p in PACKAGES if p.name == "spotify-etl"]
    found = [f"{where}: {module}" for module, where in imports_of(cli) if module in SERVICES]
    assert not found, "tools/ops imports a service:\n" + "\n".join(found)
    service_distributions = {p.name for p in PACKAGES if p.modules & SERVICES}
    assert not cli.dependencies & service_distributions


def module_name(package: Package, path: Path) -> str:
    parts = path.relative_to(package.directory / "src").with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def internal_imports(tree: ast.AST, modules: frozenset[str], known: set[str]) -> set[str]:
    """Modules of the same package that ``tree`` imports (``from pkg import mod`` included)."""
    found: set[str] = set()
    for node in runtime_imports(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        found |= {n for n in names if n.split(".")[0] in modules and n in known}
    return found


def import_cycles(package: Package) -> list[list[str]]:
    """Cycles in the package's own module graph (imports inside functions count too)."""
    paths = {module_name(package, p): p for p in package.sources()}
    known = set(paths)
    graph = {
        name: internal_imports(ast.parse(path.read_text()), package.modules, known) - {name}
        for name, path in paths.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_no_package_has_an_import_cycle(package: Package) -> None:
    # A package's __init__ importing its own submodules is not a cycle worth reporting.
    cycles = [c for c in import_cycles(package) if not any(m in package.modules for m in c)]
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)
