"""The documentation a newcomer clones: every relative link in it leads to a file in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _tracked_docs() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md", "*.rst"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_every_relative_link_stays_in_the_repository_and_resolves() -> None:
    broken = []
    for doc in _tracked_docs():
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):  # https:, mailto: ...
                continue
            resolved = (doc.parent / target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert not broken, broken


def test_the_rules_the_code_cites_are_stated_in_the_repository() -> None:
    from imagepro_policy.rules import RULE_TITLES

    terms = (ROOT / "docs" / "terms.md").read_text(encoding="utf-8")
    missing = [rule for rule in RULE_TITLES if f"| {rule} |" not in terms]
    assert not missing, missing


def test_ci_runs_the_readme_commands_exactly() -> None:
    """The README's set-up and test commands, and .ci/run runs the test one as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    commands = [line for line in readme if line.startswith("python3 -m venv .venv && ")]
    assert len(commands) == 2, commands
    setup, test = commands
    assert setup.endswith("&& .venv/bin/imagepro-sync plan examples/day-2026-11-20/*")
    assert test.endswith("&& .venv/bin/python -m pytest")
    # The worker requires imagepro-policy, built from ./policy: both commands name it, or pip cannot resolve.
    assert "pip install -e ./policy -e . " in setup
    assert "pip install -e ./policy -e '.[test]' " in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci
