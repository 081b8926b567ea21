"""README and CI stay in step: CI runs exactly the test command the README's quick start gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^{re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, f"README has no {heading!r} section"
    return match.group(1)


def _fenced_blocks(text: str, lang: str) -> list[str]:
    return [b.strip() for b in re.findall(rf"^```{lang}[ \t]*\n(.*?)^```", text, flags=re.M | re.S)]


def readme_test_command() -> str:
    blocks = _fenced_blocks(_section(README.read_text(), "## Quick start"), "bash")
    assert len(blocks) >= 2, "the quick start needs an install block and a test block"
    lines = [line.strip() for line in blocks[1].splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(lines) == 1, f"the quick start's test block should be one command, got {lines}"
    return lines[0]


def ci_last_command() -> str:
    lines = [line.strip() for line in CI.read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert commands, ".ci/run has no commands"
    return commands[-1]


def test_ci_runs_exactly_the_readme_test_command():
    assert ci_last_command() == readme_test_command()


def test_readme_test_command_runs_pytest():
    command = readme_test_command()
    assert "pytest" in command
    assert ".[test]" in command  # installs the test extra that provides pytest and hypothesis


def test_ci_script_is_strict_and_executable():
    text = CI.read_text()
    assert text.startswith("#!")
    assert "set -euo pipefail" in text
    assert CI.stat().st_mode & 0o111, ".ci/run must be executable"


def test_readme_policy_example_registers_a_working_policy():
    """The 'write your own' example in the README runs as written."""
    import lmxsim.policies as policies
    from lmxsim import LMXModel

    blocks = [b for b in _fenced_blocks(README.read_text(), "python") if "@register" in b]
    assert blocks, "README has no policy example"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102 - our own README
    name = next(v.name for v in namespace.values() if isinstance(v, type) and issubclass(v, policies.Policy)
                and v is not policies.Policy)
    try:
        assert name in policies.policy_names()
        model = LMXModel(policy=name, seed=1, n_teams=2, team_size=4, weeks=8, panel_every=0).run()
        assert model.policies_in_use == [name]
        assert len(model.model_frame()) == 9
    finally:
        policies.unregister(name)
    assert name not in policies.policy_names()


@pytest.mark.parametrize("command", ["lmxsim list", "lmxsim run", "lmxsim --help"])
def test_readme_shows_the_main_commands(command):
    assert command in README.read_text()
