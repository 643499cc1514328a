"""The HTTP protocol the app is served with: uvicorn's h11 with TCP_NODELAY on every
connection.

With ``--workers N`` uvicorn binds the listening socket itself with protocol number 0, so
asyncio does not switch off Nagle's algorithm on accepted connections; h11 writes a response's
headers and body separately, and the body then waits for the client's delayed ACK (~40 ms
per request on Linux). Setting TCP_NODELAY here removes that floor::

    uvicorn --factory hemifacial.web.app:app_from_env --workers 2 \\
        --http hemifacial.web.server:NoDelayH11Protocol
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]
