"""Helpers for the AMQP 1.0 server tests (test_25_amqp.py): a Pier with AMQP, STOMP and OpenWire
listeners beside its MQTT one, and small python-qpid-proton pieces the blocking API lacks."""
from __future__ import annotations

import os
import socket
import struct

from proton import Terminus
from proton.reactor import LinkOption

from conftest import HOST, _accepts, free_port, wait_until

PEERS = os.path.join(os.path.dirname(__file__), "..", "..", ".build-peers")
PROTON_SEND = os.path.abspath(os.path.join(PEERS, "proton-send"))
PROTON_RECEIVE = os.path.abspath(os.path.join(PEERS, "proton-receive"))


def start_amqp(make_broker, allow_anonymous: bool = True, stomp: bool = False, openwire: bool = False, **kwargs):
    """Pier with an AMQP listener (and STOMP/OpenWire ones when asked); sets b.amqp_port and b.url."""
    ports = {"amqp": free_port()}
    if stomp:
        ports["stomp"] = free_port()
    if openwire:
        ports["openwire"] = free_port()
    listeners = [{"protocol": p, "transport": "tcp", "bind": HOST, "port": port, "allow_anonymous": allow_anonymous}
                 for p, port in ports.items()]
    b = make_broker(allow_anonymous=allow_anonymous, extra_listeners=listeners, **kwargs)
    assert wait_until(lambda: all(_accepts(HOST, p) for p in ports.values()), 10), f"listeners never came up:\n{b.stderr()}"
    b.amqp_port = ports["amqp"]
    b.url = f"amqp://{HOST}:{ports['amqp']}"
    b.stomp_port = ports.get("stomp")
    b.openwire_url = f"tcp://{HOST}:{ports['openwire']}" if openwire else None
    return b


class NullSource(LinkOption):
    """A receiver whose attach carries no source: it asks for an existing durable subscription by link name."""

    def apply(self, link):
        link.source.type = Terminus.UNSPECIFIED


class DurableSource(LinkOption):
    """A topic subscription that outlives the link: terminus durable 2 (unsettled-state), expiry-policy never."""

    def apply(self, link):
        link.source.durability = Terminus.DELIVERIES
        link.source.expiry_policy = Terminus.EXPIRE_NEVER


def raw_frames(port: int, payload: bytes, timeout: float = 5.0) -> bytes:
    """Sends `payload` on a fresh socket and returns everything Pier writes until it closes."""
    out = b""
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(payload)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    return out


def frame(body: bytes, channel: int = 0, kind: int = 0) -> bytes:
    """One AMQP frame around `body` (an encoded performative)."""
    return struct.pack(">IBBH", 8 + len(body), 2, kind, channel) + body


AMQP_HEADER = b"AMQP\x00\x01\x00\x00"
SASL_HEADER = b"AMQP\x03\x01\x00\x00"
# open(container-id="raw"): described(ulong 0x10, list8 [str8 "raw"])
OPEN = b"\x00\x53\x10\xc0\x06\x01\xa1\x03raw"
