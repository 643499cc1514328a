"""Opt-in: TCP_NODELAY on every connection when uvicorn runs several worker processes.

Nothing imports this module by default (it subclasses a uvicorn internal); a deployment
that runs ``uvicorn --workers N`` may select it with ``--http``, as the load benchmark does
with ``--nodelay`` (figures in docs/web.md).

httptools and uvloop serve about 1.5× the requests per second of the pure-Python h11 parser
and asyncio loop on the same cores (``benchmarks/web_load.py``). With ``--workers N``
uvicorn binds the listening socket itself with protocol number 0, so asyncio does not switch
off Nagle's algorithm on accepted connections; a response written in two parts then waits
for the client's delayed ACK (~40 ms on Linux). Setting TCP_NODELAY here removes that floor::

    uvicorn --factory hemifacial.web.app:app_from_env --workers 2 --loop uvloop \\
        --http hemifacial.web.server:NoDelayHttpToolsProtocol
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

LOOP = "uvloop"
PROTOCOL = "hemifacial.web.server:NoDelayHttpToolsProtocol"


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]
