"""The Odoo stand-in's HTTP side: XML-RPC (`/xmlrpc/2/common`, `/xmlrpc/2/object`) and the JSON-RPC
routes odoorpc uses (`/web/webclient/version_info`, `/jsonrpc`, `/web/session/authenticate`) on
127.0.0.1, answering faults as Odoo 18 does (odoo/addons/base/controllers/rpc.py, odoo/http.py).

Faults can be injected for the next N requests: `refuse` (nobody listens), `hang`, `http_502`,
`drop_mid_reply`, `serialization_failure`. Everything is bounded and `stop()` ends every thread.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import socket
import sys
import threading
import traceback
import xmlrpc.client
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .erp import (
    AccessDenied,
    AccessError,
    SerializationFailure,
    StandinErp,
    UserError,
)

SERVER_VERSION = {
    "server_version": "18.0",
    "server_version_info": [18, 0, 0, "final", 0, ""],
    "server_serie": "18.0",
    "protocol_version": 1,
}
MAX_HANG_SECONDS = 5.0
INJECTABLE = ("hang", "http_502", "drop_mid_reply", "serialization_failure")


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handler threads
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], standin: OdooStandin) -> None:
        self.standin = standin
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (killed worker, timeout) is normal here; anything else is a stand-in bug.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        with self.connections_lock:
            live = list(self.connections)
        for conn in live:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Werkzeug/3.0.1"
    sys_version = "Python/3.11"
    timeout = 10  # an idle keep-alive connection is closed after this long
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed-ACK stall
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._send(404, b"<!doctype html><title>404 Not Found</title>", "text/html")

    def do_POST(self) -> None:
        standin = self.server.standin
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        standin.requests[self.path] += 1
        if standin.take("hang"):
            standin.stopping.wait(min(standin.hang_seconds, MAX_HANG_SECONDS))
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._send(504, b"late", "text/plain")
            return
        if standin.take("http_502"):
            self._send(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
            return
        if self.path.startswith("/xmlrpc/2/"):
            reply, ctype = standin.xmlrpc(self.path.removeprefix("/xmlrpc/2/"), body), "text/xml; charset=utf-8"
        elif self.path in ("/jsonrpc", "/web/webclient/version_info", "/web/session/authenticate"):
            reply, ctype = standin.jsonrpc(self.path, body), "application/json"
        else:
            self._send(404, b"<!doctype html><title>404 Not Found</title>", "text/html")
            return
        if standin.take("drop_mid_reply"):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply[: max(1, len(reply) // 2)])
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(200, reply, ctype)

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class OdooStandin:
    """A running stand-in: `url`, `db`, `user`, `password`, the in-memory `erp`, and fault injection."""

    def __init__(
        self,
        erp: StandinErp | None = None,
        db: str = "imagepro_test",
        user: str = "sync-bot",
        password: str = "s3cret-Pa55word",
        latency: float = 0.0,
    ) -> None:
        self.erp = erp if erp is not None else StandinErp()
        self.db = db
        self.user = user
        self.password = password
        self.uid = 2
        self.latency = latency  # seconds of "database work" added to every execute_kw
        self.hang_seconds = 2.0
        self.requests: Counter[str] = Counter()
        self.pending: Counter[str] = Counter()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- life -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OdooStandin:
        self.stopping.clear()
        server = _Server(("127.0.0.1", self.port), self)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"odoo-standin-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> OdooStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @contextlib.contextmanager
    def refused(self) -> Iterator[None]:
        """Nobody listens on the port inside the block (connections are refused); then the same port again."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    # --- fault injection ----------------------------------------------------------------------------

    def inject(self, fault: str, count: int = 1) -> None:
        """Apply `fault` to the next `count` requests (execute_kw calls, for serialization_failure)."""
        if fault not in INJECTABLE:
            raise ValueError(f"unknown fault {fault!r}; one of {', '.join(INJECTABLE)} (or use refused())")
        with self._lock:
            self.pending[fault] = count

    def take(self, fault: str) -> bool:
        with self._lock:
            if self.pending[fault] > 0:
                self.pending[fault] -= 1
                return True
            return False

    def clear_faults(self) -> None:
        with self._lock:
            self.pending.clear()

    # --- services -----------------------------------------------------------------------------------

    def dispatch(self, service: str, method: str, params: list[Any]) -> Any:
        """What odoo.http.dispatch_rpc does for the common and object services."""
        if service == "common":
            self.erp.calls[f"common.{method}"] += 1
            if method == "version":
                return dict(SERVER_VERSION)
            if method in ("login", "authenticate"):
                db, login, password = params[0], params[1], params[2]
                self._check_db(db)
                return self.uid if self._credentials_ok(login, password) else False
            raise NameError(f"Method not available {method}")
        if service == "object":
            if method not in ("execute", "execute_kw"):
                raise NameError(f"Method not available {method}")
            db, uid, password, model, name = params[:5]
            self._check_db(db)
            if uid != self.uid or not self._credentials_ok(self.user, password):
                raise AccessDenied()
            if method == "execute":
                args, kwargs = list(params[5:]), {}
            else:
                args = params[5] if len(params) > 5 else []
                kwargs = params[6] if len(params) > 6 else {}
            if self.take("serialization_failure"):
                self.erp.calls[f"{model}.{name}"] += 1
                raise SerializationFailure("could not serialize access due to concurrent update\n")
            if self.latency:
                self.stopping.wait(self.latency)
            if (model, name) == ("res.users", "context_get"):
                return {"lang": "en_US", "tz": "America/Chicago", "uid": self.uid}
            return self.erp.execute_kw(model, name, list(args), dict(kwargs or {}))
        raise Exception(f"No such service: {service}")

    def _check_db(self, db: str) -> None:
        if db != self.db:
            raise _OperationalError(f'connection to server failed: FATAL:  database "{db}" does not exist')

    def _credentials_ok(self, login: str, password: str) -> bool:
        return login == self.user and hmac.compare_digest(str(password).encode(), self.password.encode())

    def xmlrpc(self, service: str, body: bytes) -> bytes:
        try:
            params, method = xmlrpc.client.loads(body, use_builtin_types=True)
            result = self.dispatch(service, method or "", list(params))
            text = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except Exception as exc:  # odoo.addons.base.controllers.rpc.xmlrpc_handle_exception_int
            text = xmlrpc.client.dumps(_fault(exc), methodresponse=True, allow_none=False)
        return text.encode()

    def jsonrpc(self, path: str, body: bytes) -> bytes:
        request_id: Any = None
        try:
            request = json.loads(body or b"{}")
            request_id = request.get("id")
            params = request.get("params") or {}
            if path == "/web/webclient/version_info":
                result: Any = dict(SERVER_VERSION)
            elif path == "/web/session/authenticate":
                uid = self.dispatch("common", "authenticate", [params.get("db"), params.get("login"),
                                                               params.get("password"), {}])
                if not uid:
                    raise AccessDenied()
                result = {"uid": uid, "db": self.db, "username": self.user, "server_version": "18.0"}
            else:
                result = self.dispatch(params.get("service", ""), params.get("method", ""),
                                       list(params.get("args") or []))
            reply: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "result": result}
        except Exception as exc:  # odoo.http.JsonRPCDispatcher.handle_error
            reply = {"jsonrpc": "2.0", "id": request_id,
                     "error": {"code": 200, "message": "Odoo Server Error", "data": _serialize_exception(exc)}}
        return json.dumps(reply).encode()


class _OperationalError(Exception):
    pass


_OperationalError.__module__ = "psycopg2"
_OperationalError.__name__ = _OperationalError.__qualname__ = "OperationalError"


def _formatted(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _fault(exc: BaseException) -> xmlrpc.client.Fault:
    """Odoo 18's /xmlrpc/2 fault codes: 2 UserError (and ValidationError...), 3 AccessDenied, 4 AccessError."""
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault(4, str(exc))
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(3, str(exc))
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault(2, str(exc))
    return xmlrpc.client.Fault(1, _formatted(exc))


def _serialize_exception(exc: BaseException) -> dict[str, Any]:
    """odoo.http.serialize_exception."""
    module = type(exc).__module__
    name = type(exc).__name__
    return {
        "name": f"{module}.{name}" if module and module != "builtins" else f"builtins.{name}",
        "debug": _formatted(exc),
        "message": str(exc),
        "arguments": [str(a) for a in exc.args],
        "context": {},
    }


