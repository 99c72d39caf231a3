"""One redaction for every way a secret can appear in what the worker prints: a URL's user:password@, a
query's ?password=, a libpq DSN's password=... (quoted or not), an API key or token parameter."""

from __future__ import annotations

import re
from typing import Any, TextIO

MASK = "***"
_USERINFO = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s?#]*):[^@\s]*@", re.IGNORECASE)
_PARAMETER = re.compile(
    r"(?P<key>\b(?:ssl)?pass(?:word|wd)?|\bpwd|\bapi[_-]?key|\btoken|\bsecret)(?P<eq>\s*=\s*)"
    r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s&;,'\"]+)",
    re.IGNORECASE,
)
_HINTS = ("@", "pass", "pwd", "key", "token", "secret")


def redact(text: str) -> str:
    """`text` with every password, key or token it holds replaced by ***."""
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return text
    text = _USERINFO.sub(lambda m: f"{m['head']}:{MASK}@", text)
    return _PARAMETER.sub(lambda m: f"{m['key']}{m['eq']}{MASK}", text)


class RedactingStream:
    """A text stream that redacts what is written to it: the CLI's stdout and stderr."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
