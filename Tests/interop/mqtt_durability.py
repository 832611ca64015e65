"""Clients for kill -9 durability tests: a persistent-session QoS 1/2 publisher that behaves like a real
client across broker crashes and takeovers, and a drain of a persistent subscriber's queue."""
import socket
import threading
import time

import mqttraw as raw

V5 = raw.MQTT5
SESSION_EXPIRY = {raw.SESSION_EXPIRY_INTERVAL: 3600}


class Publisher:
    """A persistent-session QoS 1/2 publisher that survives broker crashes like a real client."""

    def __init__(self, broker, name: str):
        self.broker = broker
        self.name = name
        self.seq = 0
        self.next_pid = 1
        self.inflight: dict[int, tuple[int, bytes, str]] = {}  # pid -> (qos, payload, state: "pub"|"rel")
        self.acked: list[tuple[int, bytes]] = []
        self.stop = threading.Event()
        self.sock: raw.RawClient | None = None
        # An exception in the publisher thread (an error PUBACK, a bad PUBREC...): the test re-raises it,
        # since pytest would only turn it into a warning.
        self.failure: BaseException | None = None

    def _connect(self) -> bool:
        try:
            self.sock = raw.RawClient(self.broker.host, self.broker.port, timeout=5)
            ack = self.sock.connect(self.name, version=V5, clean=False, props=SESSION_EXPIRY)
            assert ack.code == 0, ack
            # Resume: resend what was never acknowledged, as MQTT-4.4.0-1 requires of the client.
            for pid, (qos, payload, state) in sorted(self.inflight.items()):
                if state == "rel":
                    self.sock.send(raw.ack(raw.PUBREL, pid, version=V5))
                else:
                    self.sock.send(raw.publish("kill/data", payload, qos=qos, dup=True, packet_id=pid, version=V5))
            return True
        except (OSError, raw.Closed):
            return False

    def _handle(self, p: raw.Packet) -> None:
        pid, reason = raw.parse_ack(p)
        entry = self.inflight.get(pid)
        if entry is None:
            return
        qos, payload, state = entry
        if p.type == raw.PUBACK and qos == 1:
            assert reason == 0, reason
            del self.inflight[pid]
            self.acked.append((1, payload))
        elif p.type == raw.PUBREC and qos == 2:
            assert reason < 0x80, reason
            self.inflight[pid] = (qos, payload, "rel")
            self.sock.send(raw.ack(raw.PUBREL, pid, version=V5))
        elif p.type == raw.PUBCOMP and qos == 2 and state == "rel":
            # 0x92 answers a PUBREL resent after a crash that came after the release was recorded: the
            # exchange already completed (PUBREC was only sent once the message itself was durable).
            assert reason in (0, 0x92), reason
            del self.inflight[pid]
            self.acked.append((2, payload))

    def run_in_thread(self) -> None:
        try:
            self.run_until_killed()
        except BaseException as exc:  # noqa: BLE001 - re-raised by the test thread
            self.failure = exc

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise AssertionError(f"{self.name}: publisher thread failed: {self.failure!r}") from self.failure

    def run_until_killed(self) -> None:
        """Publishes until the connection dies (the broker was killed) or stop is set."""
        if not self._connect():
            return
        try:
            while not self.stop.is_set():
                if len(self.inflight) < 10:
                    self.seq += 1
                    qos = 1 + (self.seq % 2)
                    payload = f"{self.name}:{self.seq}:q{qos}".encode()
                    pid = self.next_pid
                    self.next_pid = self.next_pid % 60000 + 1
                    self.inflight[pid] = (qos, payload, "pub")
                    self.sock.send(raw.publish("kill/data", payload, qos=qos, packet_id=pid, version=V5))
                try:
                    while True:
                        self._handle(self.sock.recv(timeout=0.001 if len(self.inflight) < 10 else 1.0))
                except socket.timeout:
                    pass
        except (OSError, raw.Closed):
            pass
        finally:
            self.sock.close()

    def settle(self) -> None:
        """After the last restart: finish every open exchange."""
        assert self._connect()
        deadline = time.monotonic() + 30
        while self.inflight and time.monotonic() < deadline:
            try:
                self._handle(self.sock.recv(timeout=1.0))
            except socket.timeout:
                pass
        assert not self.inflight, f"{self.name}: exchanges never completed: {self.inflight}"
        self.sock.send(raw.disconnect(version=V5))
        self.sock.close()


def drain(broker, client_id: str, expected: int) -> list[raw.Publish]:
    c = raw.RawClient(broker.host, broker.port, timeout=10)
    ack = c.connect(client_id, version=V5, clean=False, props=SESSION_EXPIRY)
    assert ack.code == 0 and ack.session_present, ack
    got: list[raw.Publish] = []
    idle_until = time.monotonic() + 10
    while time.monotonic() < idle_until:
        try:
            p = c.recv(timeout=1.0)
        except socket.timeout:
            if len(got) >= expected:
                break
            continue
        if p.type == raw.PUBLISH:
            m = raw.parse_publish(p, V5)
            got.append(m)
            if m.qos == 1:
                c.send(raw.ack(raw.PUBACK, m.packet_id, version=V5))
            elif m.qos == 2:
                c.send(raw.ack(raw.PUBREC, m.packet_id, version=V5))
            idle_until = time.monotonic() + 10
        elif p.type == raw.PUBREL:
            pid, _ = raw.parse_ack(p)
            c.send(raw.ack(raw.PUBCOMP, pid, version=V5))
    c.close()
    return got
