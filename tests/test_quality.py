"""The linters CI holds the code to: ruff, mypy strict, and pylint-odoo on the add-on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_is_clean() -> None:
    result = run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


ADDONS = [name for name in ("imagepro_addon", "imagepro_addon_stock") if (ROOT / name / "__manifest__.py").exists()]


@pytest.mark.skipif(not ADDONS, reason="no add-on in this tree")
def test_pylint_odoo_is_clean_on_the_addon() -> None:
    result = run(sys.executable, "-m", "pylint", "--rcfile", str(ROOT / ".pylintrc"), *ADDONS)
    assert result.returncode == 0, result.stdout + result.stderr
