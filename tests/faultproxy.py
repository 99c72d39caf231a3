"""A fault-injecting TCP proxy, put in front of whichever ERP the tests use (the stand-in or a real Odoo), so
the same fault drills run against both: the faults happen on the wire, where a real network has them.

    proxy = FaultProxy("127.0.0.1", 8069).start()      # proxy.url: http://127.0.0.1:<port>
    with proxy.refused(): ...                          # nobody listens: connection refused
    proxy.inject("reset_mid_response")                 # the next connection: the request reaches the ERP,
                                                       # the reply is cut halfway and the socket reset
    proxy.inject("stall")                              # the next connection: read, never answered
    proxy.inject("http_502")                           # the next connection: answered 502 Bad Gateway
    proxy.drop_all()                                   # every live connection reset (an ERP restart as seen
                                                       # from the worker)

A fault applies to the next request (HTTP requests are read one at a time, kept-alive connections too).
Python's xmlrpc.client re-sends a request once, on a fresh connection, when its connection is reset:
inject a reset twice to see it fail. Only 127.0.0.1 is listened on and only the given upstream is
connected to.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

FAULTS = ("reset_mid_response", "stall", "http_502")
_CHUNK = 65536


def _reset(sock: socket.socket) -> None:
    """Close with RST, as a dropped link or a killed server does, not a polite FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _read_request(sock: socket.socket) -> bytes:
    """One HTTP request (headers and a Content-Length body), or what came before the peer stopped."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(_CHUNK)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(body) < length:
        chunk = sock.recv(_CHUNK)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int, stall_seconds: float = 30.0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.stall_seconds = stall_seconds
        self.port = 0
        self.connections_seen = 0
        self._pending: deque[str] = deque()
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._released = threading.Event()
        # Called with each request once it is on its way to the ERP (a drill's trigger: "restart now").
        self.after_forward: Callable[[bytes], None] | None = None

    @classmethod
    def in_front_of(cls, url: str) -> FaultProxy:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the fault proxy sits in front of an http:// ERP, not {url!r}")
        return cls(parts.hostname, parts.port or 80)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- life ---------------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._released.clear()
        self._thread = threading.Thread(target=self._accept_loop, args=(listener,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        self.drop_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self._released.set()
        self.stop()

    # --- faults -------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def refused(self) -> Iterator[None]:
        """Nobody listens on the port inside the block; then the same port again."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def inject(self, fault: str, count: int = 1) -> None:
        """Apply `fault` to the next `count` requests."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)} (or refused(), drop_all())")
        with self._lock:
            self._pending.extend([fault] * count)

    def _take(self) -> str:
        with self._lock:
            return self._pending.popleft() if self._pending else ""

    def drop_all(self) -> None:
        with self._lock:
            live, self._live = list(self._live), set()
        for sock in live:
            _reset(sock)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
        self._released.set()
        self._released.clear()

    # --- the wire -----------------------------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections_seen += 1
                self._live.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        cut = threading.Event()
        hold = threading.Event()  # the client's side is the stall's: the upstream closing must not end it
        try:
            upstream = socket.create_connection(self.upstream, timeout=300)
            with self._lock:
                self._live.add(upstream)
            back = threading.Thread(target=self._relay_replies, args=(upstream, client, cut, hold), daemon=True)
            back.start()
            while request := _read_request(client):
                fault = self._take()
                if fault == "http_502":
                    body = b"502 Bad Gateway (fault proxy)"
                    client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                                   b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                    break
                if fault == "stall":  # never answered: the client's timeout decides
                    hold.set()
                    self._released.wait(self.stall_seconds)
                    break
                if fault == "reset_mid_response":  # the ERP gets it and does the work; the reply is cut
                    cut.set()
                    upstream.sendall(request)
                    back.join(timeout=300)
                    break
                upstream.sendall(request)
                if self.after_forward is not None:
                    self.after_forward(request)
        except OSError:
            pass
        finally:
            with self._lock:
                self._live.discard(client)
                if upstream is not None:
                    self._live.discard(upstream)
            _reset(client)
            if upstream is not None:
                _reset(upstream)

    @staticmethod
    def _relay_replies(
        upstream: socket.socket, client: socket.socket, cut: threading.Event, hold: threading.Event
    ) -> None:
        try:
            while chunk := upstream.recv(_CHUNK):
                if cut.is_set():
                    client.sendall(chunk[: max(len(chunk) // 2, 1)])
                    _reset(client)
                    return
                client.sendall(chunk)
        except OSError:
            pass
        if not hold.is_set():
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_WR)
