"""A stand-in ``aws`` executable for the error paths of deploy/deploy.sh.

The moto test runs the real CLI on the paths moto can produce (first deploy,
update, empty change set). States moto cannot reach (ROLLBACK_COMPLETE, a
FAILED change set, a denied DescribeStacks) are played by this script: it
answers each call from the scenario file named by ``FAKE_AWS_SCENARIO`` (JSON
list of ``{"match": ..., "stdout": ..., "stderr": ..., "rc": ...}``; the first
rule whose ``match`` is a substring of the joined arguments wins, default: rc 0,
no output) and appends ``{"argv": [...], "pager": $AWS_PAGER}`` to the JSON-lines
file ``FAKE_AWS_LOG``. Error texts in the scenarios are the real CLI's.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    argv = sys.argv[1:]
    with open(os.environ["FAKE_AWS_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"argv": argv, "pager": os.environ.get("AWS_PAGER")}) + "\n")
    with open(os.environ["FAKE_AWS_SCENARIO"], encoding="utf-8") as scenario:
        rules = json.load(scenario)
    joined = " ".join(argv)
    for rule in rules:
        if rule["match"] in joined:
            sys.stdout.write(rule.get("stdout", ""))
            sys.stderr.write(rule.get("stderr", ""))
            return int(rule.get("rc", 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
