"""`manage.py devserver`: Django's runserver (static files included) with TCP_NODELAY.

runserver answers a kept-alive connection with two small writes (the headers, then the body).
With Nagle's algorithm on, the second write waits for the client's ACK of the first, which a
Linux client delays by ~40 ms: every request on a reused connection took ≥ 40 ms, and the
demo's first JSign sync (240 detail calls against the sandbox) took 12 s instead of 2.
Disabling Nagle on each accepted socket sends both writes at once. `make demo` serves with it.
"""

from __future__ import annotations

import socket

from django.contrib.staticfiles.management.commands import runserver
from django.core.servers.basehttp import WSGIServer


class NoDelayWSGIServer(WSGIServer):
    def get_request(self):
        conn, address = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, address


class Command(runserver.Command):
    help = runserver.Command.help + " (TCP_NODELAY: no 40 ms wait on kept-alive connections)"
    server_cls = NoDelayWSGIServer
