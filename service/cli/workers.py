"""Several uvicorn workers on one port, each with a listening socket of its own.

``uvicorn.run(…, workers=n)`` binds one socket in the parent and hands it to every worker.
On Linux that goes wrong twice:

* the socket is created with ``proto=0``; connections accepted on it inherit that, and asyncio
  turns TCP_NODELAY on only for IPPROTO_TCP sockets, so every answer on a keep-alive
  connection waits ~40 ms for the client's delayed ACK: 32 connections could not pass
  ~700 requests/s (https://github.com/Kludex/uvicorn/issues/3149);
* all workers wait on one accept queue and the first to wake takes every pending connection,
  so with keep-alive clients (a reverse proxy, wrk) one worker may serve them all while the
  others idle (https://github.com/Kludex/uvicorn/pull/2472).

Here each worker binds its own SO_REUSEPORT socket on the address and the kernel spreads new
connections over them. uvicorn's supervisor (pings, restarts, signals) is used as it is: the
"sockets" it passes to each worker are :class:`WorkerListener` placeholders that turn into
the worker's own socket when the worker unpickles them.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from geo.errors import ParkgeoError

log = logging.getLogger(__name__)

#: How long a worker may take to answer the supervisor's first ping (uvicorn's default: 5 s).
#: A spawned worker imports the whole app (pandas, folium, …) before it can answer: 3-7 s on
#: a busy 2-core machine, after which uvicorn kills it, logs "Child process died", starts
#: another and pings that one just as early.
WORKER_START_S = 60


def serve_workers(app: str, host: str, port: int, workers: int, log_level: str) -> None:
    """Run ``workers`` processes of the app factory ``app`` ("module:function") until a
    signal stops them."""
    config = uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        timeout_worker_healthcheck=WORKER_START_S,
    )
    try:
        # A taken port fails here, once, rather than in every worker the supervisor would
        # restart. Bound without SO_REUSEPORT, so that another parkgeo on the port fails it
        # too instead of silently sharing the connections.
        shared = bind_listener(host, port, reuse_port=False)
    except OSError as exc:
        raise ParkgeoError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sockets: list[Any] = [shared]  # no SO_REUSEPORT: one shared socket, as uvicorn does
    if hasattr(socket, "SO_REUSEPORT"):
        shared.close()
        sockets = [WorkerListener(host, port)]
    try:
        Multiprocess(config, sockets=sockets).run()
    finally:
        shared.close()


class WorkerListener:
    """Stands for the listening socket in what uvicorn passes to a worker; unpickled in the
    worker, it is a socket bound there (see the module docstring)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return bind_listener, (self.host, self.port)


def bind_listener(host: str, port: int, *, reuse_port: bool = True) -> socket.socket:
    """A TCP socket bound to (host, port), IPPROTO_TCP so that asyncio sets TCP_NODELAY."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock
