"""What every way of talking to Odoo offers (XML-RPC, JSON-RPC via odoorpc)."""

from __future__ import annotations

from typing import Any, Protocol


class ErpTransport(Protocol):
    rpc_calls: int  # how many remote calls were made, login included

    def login(self) -> int:
        """Authenticate; return the uid. Raises PermanentError on bad credentials, TransientError when unreachable."""
        ...

    def execute_kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        """One remote call; raises TransientError or PermanentError (never a raw transport error)."""
        ...

    def version(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
