"""cfn-lint over the CloudFormation template."""

from __future__ import annotations

import subprocess

from tests.deploy.cfn_template import TEMPLATE_PATH
from tests.deploy.venv_tools import venv_tool


def test_template_is_cfn_lint_clean() -> None:
    result = subprocess.run(
        [str(venv_tool("cfn-lint")), "--format", "parseable", str(TEMPLATE_PATH)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"cfn-lint findings:\n{result.stdout}{result.stderr}"
