"""The collection hook's rule: moto-server tests are marked integration and filed outside unit."""

from __future__ import annotations

from tests.placement import misplacement


def test_a_unit_test_that_needs_the_moto_server_is_told_to_move() -> None:
    problem = misplacement("unit", {"integration"}, ["stack", "aws_env", "moto_server"])
    assert problem is not None
    assert "move it to tests/integration" in problem


def test_a_moto_test_without_a_marker_is_told_to_add_one_wherever_it_is() -> None:
    for folder in ("integration", "deploy"):
        problem = misplacement(folder, set(), ["moto_server"])
        assert problem is not None
        assert "pytest.mark.integration" in problem


def test_an_unmarked_test_under_integration_or_e2e_is_refused_even_without_moto() -> None:
    assert misplacement("integration", {"timeout"}, ["tmp_path"]) is not None
    assert misplacement("e2e", {"integration"}, ["tmp_path"]) is not None


def test_marked_integration_and_e2e_tests_and_plain_unit_tests_pass() -> None:
    assert misplacement("integration", {"integration"}, ["moto_server"]) is None
    assert misplacement("e2e", {"e2e"}, ["moto_server"]) is None
    assert misplacement("deploy", {"integration"}, ["moto_server"]) is None
    assert misplacement("unit", set(), ["tmp_path"]) is None
