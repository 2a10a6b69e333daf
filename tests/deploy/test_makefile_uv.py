"""How the Makefile finds uv: never with `python3 -m pip` of whatever python3 comes first.

With the repository's .venv activated and no uv on PATH, the first python3 is the venv's,
which uv made without pip: `make run` used to stop at "No module named pip". Each test runs
the real Makefile (copied to a scratch folder, so nothing lands in the repository) with a
PATH built for it; a stand-in python3 "with pip" records the install instead of reaching
PyPI, so no test touches the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.cfn_template import REPO

TOOLS = ("make", "mkdir", "chmod", "ln", "cat")
"""What make and the recipes run besides bash builtins (bash itself is /bin/bash)."""

FAKE_PIP_PYTHON = """#!/bin/bash
# A python3 that has pip: `-m pip install --target DIR uv` leaves a stand-in uv in DIR/bin.
echo "$0 $*" >> "$CALLS"
[ "$1 $2" = "-m pip" ] || exit 1
[ "$3" = "--version" ] && { echo "pip 25.0 (stand-in)"; exit 0; }
target=""; previous=""
for arg in "$@"; do [ "$previous" = "--target" ] && target="$arg"; previous="$arg"; done
[ -n "$target" ] || exit 3
mkdir -p "$target/bin"
printf '#!/bin/bash\\necho "uv stand-in $*"\\n' > "$target/bin/uv"
chmod +x "$target/bin/uv"
"""


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A folder holding only the Makefile (its .cache/ is where uv would be installed)."""
    work = tmp_path / "repo"
    work.mkdir()
    shutil.copy(REPO / "Makefile", work / "Makefile")
    return work


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    """A PATH folder with only the commands the recipes need (no uv, no python3)."""
    folder = tmp_path / "tools"
    folder.mkdir()
    for name in TOOLS:
        found = shutil.which(name)
        assert found, f"{name} is not installed"
        (folder / name).symlink_to(found)
    return folder


@pytest.fixture
def venv_without_pip(tmp_path: Path) -> Path:
    """A real venv made without pip, as `uv sync` makes .venv: its bin/ comes first on PATH."""
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60
    )
    result = subprocess.run(
        [str(venv / "bin" / "python3"), "-m", "pip", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "No module named pip" in result.stderr  # the state that broke `make run`
    return venv / "bin"


@pytest.fixture
def pip_python(tmp_path: Path) -> Path:
    folder = tmp_path / "pip-python"
    folder.mkdir()
    script = folder / "python3"
    script.write_text(FAKE_PIP_PYTHON)
    script.chmod(0o755)
    return folder


def _make(work: Path, path: list[Path], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.pathsep.join(str(p) for p in path),
        "HOME": str(work),
        "CALLS": str(work / "calls.log"),
    }
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(work), *args],
        executable=shutil.which("make"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def test_an_activated_venv_without_pip_is_skipped_for_a_python3_that_has_pip(
    scratch: Path, tools: Path, venv_without_pip: Path, pip_python: Path
) -> None:
    path = [venv_without_pip, pip_python, tools]
    result = _make(scratch, path, "uv")
    assert result.returncode == 0, result.stderr
    assert "No module named pip" not in result.stderr
    uv = scratch / ".cache" / "uv-tool" / "bin" / "uv"
    assert uv.exists()
    calls = (scratch / "calls.log").read_text().splitlines()
    assert calls[-1] == (
        f"{pip_python / 'python3'} -m pip install --quiet --disable-pip-version-check "
        f"--target {scratch / '.cache' / 'uv-tool'} uv"
    )
    # every later target runs that uv
    planned = _make(scratch, path, "-n", "checkov")
    assert planned.returncode == 0, planned.stderr
    assert f"{uv} tool run --from checkov==" in planned.stdout


def test_uv_on_path_is_used_as_it_is(
    scratch: Path, tools: Path, venv_without_pip: Path, tmp_path: Path
) -> None:
    on_path = tmp_path / "uv-on-path"
    on_path.mkdir()
    (on_path / "uv").write_text("#!/bin/bash\necho uv on path\n")
    (on_path / "uv").chmod(0o755)
    path = [venv_without_pip, on_path, tools]
    assert _make(scratch, path, "uv").returncode == 0
    assert not (scratch / ".cache").exists()
    planned = _make(scratch, path, "-n", "checkov")
    assert f"{on_path / 'uv'} tool run --from checkov==" in planned.stdout


def test_no_python_that_can_install_uv_says_what_to_install(
    scratch: Path, tools: Path, tmp_path: Path
) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "python3").write_text("#!/bin/bash\nexit 1\n")  # neither pip nor venv
    (bare / "python3").chmod(0o755)
    result = _make(scratch, [bare, tools], "uv", f"UV_PYTHONS={bare / 'python3'}")
    assert result.returncode != 0
    assert "no uv on PATH and no python3 with pip or venv to install it" in result.stderr
    assert not (scratch / ".cache" / "uv-tool" / "bin" / "uv").exists()
