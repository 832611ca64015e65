"""STOMP helpers for the interop tests: stomp.py connections with a listener that collects what
arrives, and the STD_HOST/STD_PORT/STD_USER/STD_PASSWORD convention of stomp.py's own tests, so the
same tests can be pointed at another broker (ActiveMQ, RabbitMQ)."""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass

import stomp

CONNECTIONS = {"1.0": stomp.Connection10, "1.1": stomp.Connection11, "1.2": stomp.Connection12}


@dataclass
class StompTarget:
    host: str
    port: int
    user: str | None = None
    password: str | None = None
    broker: object | None = None  # the conftest Broker when Pier was started by the test

    @property
    def mqtt_port(self) -> int:
        return self.broker.port


class Collector(stomp.ConnectionListener):
    """Everything a connection receives, with waits."""

    def __init__(self):
        self.messages: list[stomp.utils.Frame] = []
        self.receipts: list[str] = []
        self.errors: list[stomp.utils.Frame] = []
        self.disconnected = False
        self.cond = threading.Condition()

    def on_message(self, frame):
        with self.cond:
            self.messages.append(frame)
            self.cond.notify_all()

    def on_receipt(self, frame):
        with self.cond:
            self.receipts.append(frame.headers.get("receipt-id"))
            self.cond.notify_all()

    def on_error(self, frame):
        with self.cond:
            self.errors.append(frame)
            self.cond.notify_all()

    def on_disconnected(self):
        with self.cond:
            self.disconnected = True
            self.cond.notify_all()

    def wait(self, predicate, timeout: float = 10.0) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout)

    def wait_messages(self, n: int, timeout: float = 10.0) -> list:
        self.wait(lambda: len(self.messages) >= n, timeout)
        with self.cond:
            return list(self.messages)

    def wait_receipt(self, receipt: str, timeout: float = 10.0) -> bool:
        return self.wait(lambda: receipt in self.receipts, timeout)

    def wait_error(self, timeout: float = 10.0):
        self.wait(lambda: self.errors, timeout)
        with self.cond:
            return self.errors[0] if self.errors else None

    def bodies(self) -> list[str]:
        with self.cond:
            return [m.body for m in self.messages]

    def take(self) -> list:
        with self.cond:
            out, self.messages = self.messages, []
            return out


def open_connection(target: StompTarget, version: str = "1.2", *, client_id: str | None = None,
                    heartbeats=(0, 0), login: str | None = None, passcode: str | None = None):
    kwargs = {} if version == "1.0" else {"heartbeats": heartbeats}
    conn = CONNECTIONS[version]([(target.host, target.port)], reconnect_attempts_max=1, **kwargs)
    listener = Collector()
    conn.set_listener("collector", listener)
    headers = {"client-id": client_id} if client_id else {}
    conn.connect(login if login is not None else target.user, passcode if passcode is not None else target.password,
                 wait=True, headers=headers)
    return conn, listener


def dead_letter(target: StompTarget, producer, queue: str, body: str) -> None:
    """Sends `body` to `queue` with `producer` and NACKs it from a consumer that then leaves; with the
    broker's `max_redeliveries: 0` the message is dead-lettered at once."""
    consumer, seen = open_connection(target)
    consumer.subscribe(f"/queue/{queue}", id="1", ack="client-individual")
    producer.send(f"/queue/{queue}", body, headers={"persistent": "true"}, receipt="p")
    [m] = seen.wait_messages(1)
    consumer.nack(m.headers["ack"])
    consumer.disconnect()


def external_target() -> StompTarget | None:
    if "STD_PORT" not in os.environ:
        return None
    return StompTarget(os.environ.get("STD_HOST", "127.0.0.1"), int(os.environ["STD_PORT"]),
                       os.environ.get("STD_USER"), os.environ.get("STD_PASSWORD"))


def raw_exchange(host: str, port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Sends bytes on a fresh socket and returns everything the broker sends until it closes."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                return out
            out += chunk
        raise AssertionError(f"broker did not close the connection; got {out!r}")
