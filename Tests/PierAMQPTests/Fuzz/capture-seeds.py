#!/usr/bin/env python3
"""Writes the seed corpus of PierAMQPFuzz from real AMQP 1.0 traffic.

A byte-logging TCP proxy sits between python-qpid-proton and the qpid-proton C example broker
(scripts/build-proton-broker.sh); each direction of each connection becomes one seed, with the
fuzzer's setup byte in front (0: raw stream, chunked whole). Messages with every body kind and
property section are sent, received, accepted, released and rejected, so the streams hold SASL,
open, begin, attach , flow, transfer, disposition, detach, end and close.
proton's own encoder then gives single-value (setup 2) and message-payload (setup 3) seeds.

    .venv/bin/python Tests/PierAMQPTests/Fuzz/capture-seeds.py [BROKER_BINARY]
"""
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

from proton import UNDESCRIBED, Data, Message, symbol, ulong, char, timestamp, float32, decimal32, decimal64, decimal128, ubyte, ushort, uint, byte, short, int32, Array, Described
from proton.handlers import MessagingHandler
from proton.reactor import Container

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "Seeds")
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxy(threading.Thread):
    """Accepts connections and relays them to the broker, recording each direction."""

    def __init__(self, upstream):
        super().__init__(daemon=True)
        self.upstream = upstream
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.streams = []

    def run(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            c2b, b2c = bytearray(), bytearray()
            self.streams.append((c2b, b2c))
            for a, b, log in ((client, server, c2b), (server, client, b2c)):
                threading.Thread(target=self.pump, args=(a, b, log), daemon=True).start()

    @staticmethod
    def pump(src, dst, log):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            log.extend(data)
            dst.sendall(data)


def messages():
    props = {"s": "x", "i": int32(-7), "l": 1 << 40, "b": True, "d": 1.5, "f": float32(0.25),
             "u": uuid.UUID(int=12345), "t": timestamp(1700000000000), "c": char("é")}
    yield Message(body="hello", durable=True, priority=7, ttl=60.0, id="m-1", correlation_id=uuid.UUID(int=1),
                  reply_to="queue://replies", subject="greeting", content_type="text/plain", user_id=b"guest",
                  properties=props, annotations={symbol("x-opt-jms-msg-type"): byte(5),
                                                 symbol("x-opt-jms-dest"): byte(0)})
    yield Message(body=b"\x00\x01binary\xff" * 40, inferred=True, id=ulong(42), address="queue://q")
    yield Message(body=[1, "two", 3.0, None, True, [ubyte(4), ushort(5)], {"k": uint(6)}])
    yield Message(body={"map": {symbol("sym"): decimal32(1), "d64": decimal64(2), "d128": decimal128(b"\x01" * 16)},
                        "array": Array(UNDESCRIBED, Data.SYMBOL, symbol("a"), symbol("b")), "short": short(-3)})
    yield Message(body=Described(symbol("pier:test"), [1, 2]), group_id="g", group_sequence=3, reply_to_group_id="rg",
                  creation_time=1700000000.5, expiry_time=1700000060.0)
    yield Message(body=None, inferred=False, first_acquirer=True, delivery_count=2)
    big = Message(body="z" * 3000, id="big")
    yield big


class Exchange(MessagingHandler):
    def __init__(self, url):
        super().__init__(auto_accept=False)
        self.url = url
        self.to_send = list(messages())
        self.received = 0

    def on_start(self, event):
        conn = event.container.connect(self.url)
        self.receiver = event.container.create_receiver(conn, "queue://seeds")
        self.sender = event.container.create_sender(conn, "queue://seeds")

    def on_sendable(self, event):
        while event.sender.credit and self.to_send:
            event.sender.send(self.to_send.pop(0))

    def on_message(self, event):
        self.received += 1
        # Every outcome once, then accept.
        [self.accept, self.release, self.reject][self.received % 3](event.delivery) if self.received < 4 else self.accept(event.delivery)
        if self.received >= len(list(messages())) - 2:
            event.connection.close()


def main():
    broker = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build-peers", "proton-broker")
    port = free_port()
    # The example broker looks for its ssl-certs by relative path; it serves plain AMQP without them.
    proc = subprocess.Popen([broker, "127.0.0.1", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
        proxy = Proxy(port)
        proxy.start()
        Container(Exchange(f"amqp://127.0.0.1:{proxy.port}")).run()
        time.sleep(0.3)
    finally:
        proc.kill()
        proc.wait()
    os.makedirs(SEEDS, exist_ok=True)
    for n, (c2b, b2c) in enumerate(proxy.streams):
        for name, data in (("c2b", c2b), ("b2c", b2c)):
            with open(os.path.join(SEEDS, f"proton-{name}-{n}"), "wb") as f:
                f.write(b"\x00" + bytes(data))
            # The same stream fed one byte at a time with the smallest frame limit.
            with open(os.path.join(SEEDS, f"proton-{name}-{n}-small-chunked"), "wb") as f:
                f.write(bytes([128 + 0]) + bytes(data[:4096]))
        # A client pipelines its AMQP header right behind SASL-INIT, before the broker's outcome, so in
        # a raw stream (setup 0) the decoder stops at that header and never reaches the client's frames.
        # Setup 1 puts the AMQP header in front itself: the frames after the client's header follow it.
        amqp = b"AMQP\x00\x01\x00\x00"
        at = c2b.find(amqp, 8)
        if at >= 0:
            with open(os.path.join(SEEDS, f"proton-c2b-{n}-frames"), "wb") as f:
                f.write(b"\x01" + bytes(c2b[at + len(amqp):]))
    for n, message in enumerate(messages()):
        payload = message.encode()
        with open(os.path.join(SEEDS, f"message-{n}"), "wb") as f:
            f.write(b"\x03" + payload)
        data = Data()
        data.put_object(message.body if message.body is not None else {"k": None})
        with open(os.path.join(SEEDS, f"value-{n}"), "wb") as f:
            f.write(b"\x02" + data.encode())
    print(f"{len(proxy.streams)} connections captured into {SEEDS}")


if __name__ == "__main__":
    main()
