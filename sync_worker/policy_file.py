"""Reading a policy (TOML or JSON) for `plan --policy` and for a worker with no ERP policy yet."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import imagepro_policy as policy

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


def load_policy(path: Path) -> policy.PolicyBook:
    """A file of settings (one version) or of `[[versions]]` tables; absent settings keep the T&C defaults."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--policy {path}: cannot read it ({exc.strerror})") from exc
    data: Any
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"--policy {path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'}: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"--policy {path}: expected a table of policy settings")
    try:
        return policy.PolicyBook.from_mapping(data)
    except policy.PolicyError as exc:
        raise ConfigError(f"--policy {path}: {exc}") from exc
