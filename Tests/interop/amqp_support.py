"""Helpers for the AMQP 1.0 server tests (test_30_amqp.py): a Pier with AMQP, STOMP and OpenWire
listeners beside its MQTT one, and small python-qpid-proton pieces the blocking API lacks."""
from __future__ import annotations

import os
import socket
import struct
import threading

from proton import Data, Message, Terminus, symbol
from proton.handlers import MessagingHandler, TransactionHandler
from proton.reactor import Container, LinkOption
from proton.utils import BlockingConnection

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


class NoLocal(LinkOption):
    """The `no-local` source filter (apache.org:no-local-filter:list): none of this container's own messages."""

    def apply(self, link):
        f = link.source.filter
        f.put_map()
        f.enter()
        f.put_symbol(symbol("no-local"))
        f.put_described()
        f.enter()
        f.put_symbol(symbol("apache.org:no-local-filter:list"))
        f.put_list()
        f.exit()
        f.exit()


class TemporaryTopic(LinkOption):
    """A dynamic source asking for a temporary topic (qpid-jms's `temporary-topic` capability)."""

    def apply(self, link):
        caps = link.source.capabilities
        caps.put_array(False, Data.SYMBOL)
        caps.enter()
        caps.put_symbol("temporary-topic")
        caps.exit()


class TxClient(MessagingHandler, TransactionHandler):
    """Sends `send` messages, or receives and accepts `receive` ones, in one transaction, then commits or aborts."""

    def __init__(self, url: str, queue: str, *, send: int = 0, receive: int = 0, commit: bool = True):
        super().__init__(prefetch=0, auto_accept=False)
        self.url, self.queue, self.send_n, self.receive_n, self.commit = url, queue, send, receive, commit
        self.got: list[str] = []
        self.outcome: str | None = None

    def on_start(self, event):
        self.conn = event.container.connect(self.url)
        if self.send_n:
            self.sender = event.container.create_sender(self.conn, self.queue)
        else:
            self.receiver = event.container.create_receiver(self.conn, self.queue)
        event.container.declare_transaction(self.conn, handler=self)

    def on_transaction_declared(self, event):
        self.txn = event.transaction
        if self.send_n:
            for i in range(self.send_n):
                self.txn.send(self.sender, Message(body=f"tx{i}", durable=True))
            self.discharge()
        else:
            self.receiver.flow(self.receive_n)

    def on_message(self, event):
        self.got.append(event.message.body)
        self.txn.accept(event.delivery)
        if len(self.got) == self.receive_n:
            self.discharge()

    def discharge(self):
        if self.commit:
            self.txn.commit()
        else:
            self.txn.abort()

    def on_transaction_committed(self, event):
        self.outcome = "committed"
        self.conn.close()

    def on_transaction_aborted(self, event):
        self.outcome = "aborted"
        self.conn.close()

    def on_transaction_declare_failed(self, event):
        self.outcome = "declare-failed"
        self.conn.close()


def run_tx(client: "TxClient") -> "TxClient":
    t = threading.Thread(target=Container(client).run, daemon=True)
    t.start()
    t.join(20)
    assert not t.is_alive(), "the transaction never finished"
    return client


def connect(b, container_id: str | None = None, **kwargs) -> BlockingConnection:
    """proton's blocking client against a broker from `start_amqp`, with its own container id if given."""
    container = Container()
    if container_id:
        container.container_id = container_id
    return BlockingConnection(b.url, timeout=10, container=container, **kwargs)
