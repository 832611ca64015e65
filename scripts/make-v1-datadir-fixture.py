#!/usr/bin/env python3
"""Writes the record-format-1 data directories under Tests/PierPersistenceTests/Fixtures/.

Run once, at commit 8bac025 (the last release that wrote format 1), with that release's
binary: `PIER_BIN=.build/debug/pier python3 scripts/make-v1-datadir-fixture.py`.
Later releases must keep opening these directories; the tests check what they hold
(PierPersistenceTests/V1DataDirectoryTests.swift, Tests/interop/test_16_upgrade.py).
It is kept to document how the fixture was made, not to be rerun: a newer binary
writes the newer format.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "interop"))
import mqttraw as raw  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
OUT = os.path.join(ROOT, "Tests", "PierPersistenceTests", "Fixtures")
TEN_YEARS = 315_360_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data, port):
    cfg = os.path.join(data, "..", "pier.yaml")
    with open(cfg, "w") as f:
        f.write(f"data_dir: {data}\nlisteners:\n  - protocol: mqtt\n    bind: 127.0.0.1\n    port: {port}\n"
                "    allow_anonymous: true\nsys:\n  interval: 0\n")
    proc = subprocess.Popen([os.environ["PIER_BIN"], "serve", "--config", cfg])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise SystemExit("broker did not start")


def scenario(port):
    v5 = raw.MQTT5
    expiry = [(raw.SESSION_EXPIRY_INTERVAL, 3600)]
    # An offline persistent session subscribed twice, one with a subscription identifier.
    sub = raw.RawClient("127.0.0.1", port)
    assert sub.connect("fx-offline", version=v5, clean=False, props=expiry).code == 0
    assert sub.subscribe("fx/#", 2, version=v5, props=[(raw.SUBSCRIPTION_IDENTIFIER, 7)]) == [2]
    assert sub.subscribe("fx/q1", 1, version=v5, packet_id=2) == [1]
    sub.send(raw.disconnect(version=v5))
    sub.close()
    # A persistent session that is sent two QoS 2 messages: it acknowledges the first with PUBREC only.
    inflight = raw.RawClient("127.0.0.1", port)
    assert inflight.connect("fx-inflight", version=raw.MQTT311, clean=False).code == 0
    assert inflight.subscribe("fx/b", 2) == [2]

    pub = raw.RawClient("127.0.0.1", port)
    assert pub.connect("fx-pub", version=v5, clean=False, props=expiry).code == 0
    props = [(raw.USER_PROPERTY, ("site", "north")), (raw.USER_PROPERTY, ("site", "south")),
             (raw.CONTENT_TYPE, "application/json"), (raw.RESPONSE_TOPIC, "fx/reply"),
             (raw.CORRELATION_DATA, b"\x00corr\xff"), (raw.PAYLOAD_FORMAT_INDICATOR, 1),
             (raw.MESSAGE_EXPIRY_INTERVAL, TEN_YEARS)]
    pub.send(raw.publish("fx/a", b'{"t":21.5}', qos=1, packet_id=1, version=v5, props=props))
    assert raw.parse_ack(pub.recv_type(raw.PUBACK)) == (1, 0)
    for i, pid in ((1, 2), (2, 3)):
        pub.send(raw.publish("fx/b", f"b{i}", qos=2, packet_id=pid, version=v5))
        assert raw.parse_ack(pub.recv_type(raw.PUBREC))[0] == pid
        pub.send(raw.ack(raw.PUBREL, pid, version=v5))
        assert raw.parse_ack(pub.recv_type(raw.PUBCOMP))[0] == pid
    pub.send(raw.publish("fx/q1", b"q1", qos=1, packet_id=4, version=v5))
    pub.recv_type(raw.PUBACK)
    pub.send(raw.publish("fx/r", b"kept", qos=1, retain=True, packet_id=5, version=v5))
    pub.recv_type(raw.PUBACK)
    pub.send(raw.publish("fx/r2", b"gone", qos=1, retain=True, packet_id=6, version=v5))
    pub.recv_type(raw.PUBACK)
    pub.send(raw.publish("fx/r2", b"", qos=1, retain=True, packet_id=7, version=v5))
    pub.recv_type(raw.PUBACK)
    # An incoming QoS 2 publish left at PUBREC: packet id 9 must stay known as received.
    pub.send(raw.publish("fx/c", b"c", qos=2, packet_id=9, version=v5))
    assert raw.parse_ack(pub.recv_type(raw.PUBREC))[0] == 9

    first = raw.parse_publish(inflight.recv_type(raw.PUBLISH), raw.MQTT311)
    second = raw.parse_publish(inflight.recv_type(raw.PUBLISH), raw.MQTT311)
    assert (first.payload, second.payload) == (b"b1", b"b2"), (first, second)
    inflight.send(raw.ack(raw.PUBREC, first.packet_id))
    assert raw.parse_ack(inflight.recv_type(raw.PUBREL))[0] == first.packet_id
    time.sleep(0.3)  # the `released` record is written without waiting for a reply
    inflight.close()
    pub.close()
    time.sleep(0.3)


def make(name, stop_signal):
    work = tempfile.mkdtemp()
    data = os.path.join(work, "data")
    os.mkdir(data)
    port = free_port()
    proc = start(data, port)
    try:
        scenario(port)
    finally:
        os.kill(proc.pid, stop_signal)
        proc.wait(timeout=10)
    dest = os.path.join(OUT, name)
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(data, dest)
    shutil.rmtree(work)
    print(name, sorted(os.listdir(dest)))


if __name__ == "__main__":
    make("v1-killed", signal.SIGKILL)      # state only in the log tail
    make("v1-stopped", signal.SIGTERM)     # state in a checkpoint
