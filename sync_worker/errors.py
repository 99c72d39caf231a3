"""The worker's exceptions: one root, and whether trying again can help."""

from __future__ import annotations


class SyncError(Exception):
    """Root of every error the worker raises on purpose."""


class TransientError(SyncError):
    """Trying again later may succeed: connection refused or reset, timeout, HTTP 5xx, serialization failure."""


class PermanentError(SyncError):
    """Trying again cannot succeed until a person acts: validation, access, unknown product."""


class ConfigError(SyncError):
    """The settings are missing or wrong; the message names the setting and its environment variable."""


class OutboxError(SyncError):
    """The outbox cannot be opened or used."""
