"""CONNECT / CONNACK behaviour, keepalive, connect timeout and garbage input."""

import random
import time

import pytest

import mqttraw as raw
from conftest import assert_serving, uid


@pytest.mark.parametrize("version", [4, 5])
def test_paho_connects(broker, peers, version):
    c = peers.connected(broker, uid("conn"), version=version)
    reason, session_present, _ = c.connack
    assert reason.value == 0
    assert session_present is False
    # the connection is usable: a round trip through the broker
    topic = f"conn/{uid('t')}"
    c.subscribe(topic, qos=1)
    c.publish(topic, b"ping", qos=1)
    assert [m.payload for m in c.wait_messages(1)] == [b"ping"]


def test_v5_empty_client_id_gets_assigned_identifier(broker, peers):
    c = peers.raw(broker)
    ack = c.connect("", version=raw.MQTT5)
    assert ack.code == 0
    assigned = ack.props.get(raw.ASSIGNED_CLIENT_IDENTIFIER)
    assert isinstance(assigned, str) and assigned, f"no Assigned Client Identifier in {ack.props}"


def test_v311_empty_client_id_with_clean_session_accepted(broker, peers):
    c = peers.raw(broker)
    ack = c.connect("", version=raw.MQTT311, clean=True)
    assert ack.code == 0
    c.send(raw.pingreq())
    assert c.recv().type == raw.PINGRESP


def test_v311_empty_client_id_without_clean_session_rejected(broker, peers):
    c = peers.raw(broker)
    ack = c.connect("", version=raw.MQTT311, clean=False)
    assert ack.code == 2  # identifier rejected
    assert c.wait_closed(10) == []


def test_v5_session_takeover_disconnects_first_with_0x8e(broker, peers):
    cid = uid("takeover")
    first = peers.raw(broker)
    assert first.connect(cid, version=raw.MQTT5).code == 0
    second = peers.raw(broker)
    assert second.connect(cid, version=raw.MQTT5).code == 0
    got = first.wait_closed(10)
    assert got and got[-1].type == raw.DISCONNECT, f"first connection got {got}"
    assert raw.disconnect_reason(got[-1]) == 0x8E  # Session taken over
    # the new connection stays usable
    second.send(raw.pingreq())
    assert second.recv().type == raw.PINGRESP


@pytest.mark.parametrize("requested", [0, 100])
def test_v5_server_keep_alive_caps_keepalive(make_broker, peers, requested):
    broker = make_broker(limits={"max_keepalive": 30})
    c = peers.raw(broker)
    ack = c.connect(uid("ska"), version=raw.MQTT5, keepalive=requested)
    assert ack.code == 0
    assert ack.props.get(raw.SERVER_KEEP_ALIVE) == 30, f"CONNACK properties: {ack.props}"


@pytest.mark.parametrize("version", [raw.MQTT311, raw.MQTT5])
def test_keepalive_enforced_at_one_and_a_half_times(broker, peers, version):
    c = peers.raw(broker)
    # Taken before CONNECT is sent, so the broker's keepalive clock starts after it: closing less than
    # 1.5 x 2 s after this is closing early. (0.05 s of slack for clock reads.)
    start = time.monotonic()
    assert c.connect(uid("ka"), version=version, keepalive=2).code == 0
    c.wait_closed(30)  # silent client: the broker must close it after 1.5 x 2 s
    elapsed = time.monotonic() - start
    assert 2.95 <= elapsed <= 13.0, f"closed after {elapsed:.2f}s"


def test_connection_without_connect_closed_after_connect_timeout(make_broker, peers):
    broker = make_broker(limits={"connect_timeout": 2})
    start = time.monotonic()  # before the TCP connect: the broker's timer cannot start earlier
    c = peers.raw(broker)
    assert c.wait_closed(30) == []
    elapsed = time.monotonic() - start
    assert 1.95 <= elapsed <= 12.0, f"closed after {elapsed:.2f}s"


GARBAGE = {
    "http_get": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: interop\r\n\r\n",
    # seeded random bytes; first byte forced to a reserved packet type (0) so it cannot
    # be mistaken for the start of a valid CONNECT
    "random": b"\x00" + random.Random(20240601).randbytes(255),
    "tls_client_hello": bytes.fromhex("160301002e0100002a0303") + bytes(32),
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_garbage_closes_socket_and_broker_survives(broker, peers, name):
    c = peers.raw(broker)
    c.send(GARBAGE[name])
    got = c.wait_closed(10)
    assert all(p.type != raw.CONNACK or p.body[1] != 0 for p in got), f"garbage accepted: {got}"
    assert_serving(broker, peers)
