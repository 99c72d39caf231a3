"""The client of the add-on's sync API (docs/sync-api.md): model `imagepro.sync`, one batch call per kind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tenacity import Retrying

import imagepro_policy as policy

from ..errors import PermanentError
from .base import ErpTransport
from .retry import call_with_retry, make_retrying

SYNC_MODEL = "imagepro.sync"
Kind = Literal["order", "shipment", "return", "inspection"]
METHOD_OF_KIND: dict[str, str] = {
    "order": "sync_orders",
    "shipment": "sync_shipments",
    "return": "sync_returns",
    "inspection": "sync_inspections",
}
# in_progress: another transaction in Odoo is processing this ref right now (a call that timed out on the
# client and still runs); transient, the document is tried again later and nothing was done twice.
STATUSES = frozenset({"created", "already_present", "held", "rejected", "denied", "error", "in_progress"})
ERROR_CLASSES = frozenset({"", "permanent", "missing_dependency"})
MISMATCH = "the add-on's reply does not match the sync API; is imagepro_addon at the expected version?"


@dataclass(frozen=True)
class PostResult:
    """One entry of a batch reply, as the contract's result dict."""

    ref: str
    kind: str
    status: str  # created | already_present | held | rejected | denied | error | in_progress
    decision: str = ""
    rules: tuple[str, ...] = ()
    message: str = ""
    error_class: str = ""  # "" | permanent | missing_dependency
    ids: dict[str, int] = field(default_factory=dict)
    name: str = ""
    ra_number: str = ""

    @property
    def ok(self) -> bool:
        """The ERP holds what the document asked for (or decided not to hold it, for a rejection)."""
        return self.status not in ("error", "in_progress")

    @property
    def in_progress(self) -> bool:
        """Odoo is processing this document in another call right now; nothing was done by this one."""
        return self.status == "in_progress"

    @property
    def is_missing_dependency(self) -> bool:
        return self.error_class == "missing_dependency"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "kind": self.kind,
            "status": self.status,
            "decision": self.decision,
            "rules": list(self.rules),
            "message": self.message,
            "error_class": self.error_class,
            "ids": dict(self.ids),
            "name": self.name,
            "ra_number": self.ra_number,
        }

    @classmethod
    def from_reply(cls, entry: object) -> PostResult:
        """Read one result dict; PermanentError when it does not have the contract's shape."""
        if not isinstance(entry, Mapping):
            raise PermanentError(f"{MISMATCH} (an entry is {type(entry).__name__}, not a dict)")
        try:
            ref, kind, status = entry["ref"], entry["kind"], entry["status"]
            rules = entry.get("rules", [])
            ids = entry.get("ids", {})
        except KeyError as exc:
            raise PermanentError(f"{MISMATCH} (an entry has no {exc.args[0]!r})") from None
        texts = {k: entry.get(k, "") for k in ("decision", "message", "error_class", "name", "ra_number")}
        if not all(isinstance(v, str) for v in (ref, kind, status, *texts.values())):
            raise PermanentError(f"{MISMATCH} (a text field of {ref!r} is not a string)")
        if status not in STATUSES or texts["error_class"] not in ERROR_CLASSES:
            raise PermanentError(f"{MISMATCH} (unknown status {status!r} or error_class {texts['error_class']!r})")
        if not isinstance(rules, (list, tuple)) or not all(isinstance(r, str) for r in rules):
            raise PermanentError(f"{MISMATCH} (rules of {ref!r} is not a list of strings)")
        if not isinstance(ids, Mapping) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in ids.items()
        ):
            raise PermanentError(f"{MISMATCH} (ids of {ref!r} is not a dict of integers)")
        return cls(
            ref=ref,
            kind=kind,
            status=status,
            decision=texts["decision"],
            rules=tuple(rules),
            message=texts["message"],
            error_class=texts["error_class"],
            ids=dict(ids),
            name=texts["name"],
            ra_number=texts["ra_number"],
        )


class SyncApi:
    """`info()`, `post(kind, documents)` and `policy_book()`, each one remote call retried on TransientError."""

    def __init__(self, transport: ErpTransport, retrying: Retrying | None = None) -> None:
        self.transport = transport
        self.retrying = retrying if retrying is not None else make_retrying()

    def _call(self, method: str, args: list[Any]) -> Any:
        return call_with_retry(self.retrying, lambda: self.transport.execute_kw(SYNC_MODEL, method, args))

    def info(self) -> dict[str, Any]:
        reply = self._call("sync_info", [])
        if not isinstance(reply, dict) or not isinstance(reply.get("module_version"), str):
            raise PermanentError(f"{MISMATCH} (sync_info did not answer a dict with module_version)")
        return reply

    def post(self, kind: str, documents: Sequence[Mapping[str, Any]]) -> list[PostResult]:
        """Send one batch of raw JSON documents of one kind; one PostResult per document, in order."""
        method = METHOD_OF_KIND.get(kind)
        if method is None:
            raise ValueError(f"unknown document kind {kind!r}; expected one of {', '.join(METHOD_OF_KIND)}")
        if not documents:
            return []
        batch = [dict(doc) for doc in documents]
        reply = self._call(method, [batch])
        if not isinstance(reply, list) or len(reply) != len(batch):
            got = f"{len(reply)} entries" if isinstance(reply, list) else type(reply).__name__
            raise PermanentError(f"{MISMATCH} ({method} answered {got} for {len(batch)} documents)")
        results = [PostResult.from_reply(entry) for entry in reply]
        for doc, result in zip(batch, results, strict=True):
            if doc.get("ref") != result.ref:
                raise PermanentError(f"{MISMATCH} (result for {result.ref!r} where {doc.get('ref')!r} was expected)")
        return results

    def policy_book(self) -> policy.PolicyBook:
        """The ERP's effective-dated policy, as the add-on decides with it."""
        versions = self.info().get("policy_versions")
        try:
            if isinstance(versions, list) and versions:
                return policy.PolicyBook.from_mapping({"versions": versions})
            if isinstance(versions, dict):
                return policy.PolicyBook.from_mapping(versions)
        except policy.PolicyError as exc:
            raise PermanentError(f"the ERP's policy cannot be read: {exc}") from exc
        raise PermanentError(f"{MISMATCH} (sync_info has no policy_versions)")
