"""WebSocket and WSS listeners (`transport: ws | wss`) with real clients and a raw WebSocket client.

Real clients: paho-mqtt (`transport="websockets"`), Debian's node-mqtt (MQTT.js 4) from
node/mqtt_ws.js, and stomp.py's WSStompConnection, each over ws and over wss (trusting the test CA
from pki.py).  The raw client in ws_support.py covers the framing cases other brokers got wrong:
several MQTT packets in one message, a CONNECT split at every byte across messages, fragmented
messages with pings between the fragments, STOMP frames over 64 KiB (never split across messages),
the maximum message size (close 1009), bad upgrades (400/404/403, no hang), garbage, and a client
that upgrades and then says nothing.  Then MQTT/TCP ⇄ STOMP/WS(S) across transports.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

import paho.mqtt.client as mqtt
import pytest
import stomp
import yaml

import mqttraw as raw
from conftest import IS_MOSQUITTO, HOST, assert_serving, free_port, kill_pid, uid, wait_until
from pki import make_pki
from stomp_support import Collector
from ws_support import (BINARY, CLOSE, CONT, PING, PONG, TEXT, Closed, WSClient, WsMqtt, port_open,
                        start_ws_broker, stomp_command, stomp_frame)

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the ws/wss listener config is Pier's")

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_SCRIPT = os.path.join(HERE, "node", "mqtt_ws.js")
TRANSPORTS = pytest.mark.parametrize("transport", ["ws", "wss"])
MQTT_VERSIONS = pytest.mark.parametrize("version", [4, 5], ids=["v311", "v5"])


@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="pier-ws-pki-")
    yield make_pki(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def ws_broker(make_broker, pki):
    """Pier with its plain MQTT listener, a `transport: ws` listener and a `transport: wss` one,
    both `protocol: auto` (the default) and any path."""
    return start_ws_broker(make_broker, pki)


def endpoint(ws_broker, transport):
    _, ws, wss = ws_broker
    return ws if transport == "ws" else wss


def open_ws(ep, subprotocols=None, path=None, **kw) -> WSClient:
    c = ep.client()
    c.handshake(path or ep.path, subprotocols=subprotocols, **kw)
    return c


def mqtt_ws(ep, client_id=None, version=raw.MQTT311, subprotocol="mqtt", **connect_kw) -> WsMqtt:
    """A raw MQTT-over-WebSocket session, connected (CONNACK checked)."""
    w = WsMqtt(open_ws(ep, [subprotocol]))
    w.send(raw.connect(client_id or uid("raw"), version=version, **connect_kw))
    ack = raw.parse_connack(w.recv(), version)
    assert ack.code == 0, ack
    return w


# --------------------------------------------------------------------------- paho-mqtt

def ws_paho(peers, ep, version: int, path: str = "/"):
    """conftest's PahoClient, rebuilt on paho's websockets transport (subprotocol "mqtt")."""
    c = peers.paho(ep, version=version)
    old = c.client
    kwargs = {} if version == 5 else {"clean_session": True}
    new = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=uid("paho-ws"),
                      protocol=mqtt.MQTTv5 if version == 5 else mqtt.MQTTv311, transport="websockets", **kwargs)
    for cb in ("on_socket_register_write", "on_connect", "on_disconnect", "on_message", "on_subscribe"):
        setattr(new, cb, getattr(old, cb))
    new.ws_set_options(path=path)
    if ep.tls:
        new.tls_set(ca_certs=ep.ca)
    c.client = new
    return c


@TRANSPORTS
@MQTT_VERSIONS
def test_paho_round_trip(ws_broker, peers, transport, version):
    broker, _, _ = ws_broker
    ep = endpoint(ws_broker, transport)
    c = ws_paho(peers, ep, version, path="/mqtt")
    c.connect()
    topic = uid("ws/paho")
    granted = c.subscribe(topic, qos=1)
    assert [int(g.value) if hasattr(g, "value") else int(g) for g in granted] == [1]
    c.publish(topic, b"qos0 over " + transport.encode(), qos=0)
    c.publish(topic, b"qos1 over " + transport.encode(), qos=1)
    got = c.wait_messages(2)
    assert sorted((m.topic, m.payload, m.qos) for m in got) == [
        (topic, b"qos0 over " + transport.encode(), 0), (topic, b"qos1 over " + transport.encode(), 1)]
    # and a plain TCP client sees what the WebSocket client publishes
    plain = peers.connected(broker, version=version)
    plain.subscribe(topic + "/tcp", qos=1)
    c.publish(topic + "/tcp", b"to-tcp", qos=1)
    assert [m.payload for m in plain.wait_messages(1)] == [b"to-tcp"]
    broker.assert_alive()


# --------------------------------------------------------------------------- node-mqtt (MQTT.js)

def node_env():
    env = dict(os.environ)
    env["NODE_PATH"] = os.pathsep.join(p for p in ["/usr/share/nodejs", env.get("NODE_PATH", "")] if p)
    return env


def run_node(args: dict, timeout: float = 20.0) -> dict:
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "node is not installed (scripts/install-deps.sh test installs node-mqtt, which brings nodejs)"
    proc = subprocess.Popen([node, NODE_SCRIPT, json.dumps(args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=node_env())
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_pid(proc, grace=1)
        raise AssertionError(f"node script did not finish within {timeout}s")
    lines = [l for l in out.decode().splitlines() if l.startswith("{")]
    assert lines, f"node printed no result (exit {proc.returncode}):\n{out.decode()}\n{err.decode()}"
    result = json.loads(lines[-1])
    result["exit"] = proc.returncode
    result["stderr"] = err.decode()[-2000:]
    return result


@pytest.mark.parametrize("transport,version", [("ws", 3), ("ws", 4), ("ws", 5), ("wss", 4), ("wss", 5)],
                         ids=["ws-v31", "ws-v311", "ws-v5", "wss-v311", "wss-v5"])
def test_node_mqtt_js(ws_broker, peers, transport, version):
    """MQTT.js offers subprotocol "mqtt" (or "mqttv3.1" for MQTT 3.1) and sends binary frames."""
    broker, _, _ = ws_broker
    ep = endpoint(ws_broker, transport)
    topic = uid("ws/node")
    tcp_sub = peers.connected(broker, version=4)
    tcp_sub.subscribe(topic, qos=1)
    args = {"url": ep.url, "topic": topic, "protocolVersion": version, "count": 3}
    if ep.tls:
        args["ca"] = ep.ca
    r = run_node(args)
    assert r["error"] is None and r["exit"] == 0, r
    assert r["connected"] and r["subscribed"] == [1], r
    assert sorted((m["payload"], m["qos"]) for m in r["received"]) == [
        ("q0-0", 0), ("q0-1", 0), ("q0-2", 0), ("q1-0", 1), ("q1-1", 1), ("q1-2", 1)], r
    assert r["puback"] == 3
    # the same six messages reached the MQTT/TCP subscriber
    got = tcp_sub.wait_messages(6)
    assert sorted(m.payload.decode() for m in got) == ["q0-0", "q0-1", "q0-2", "q1-0", "q1-1", "q1-2"]
    broker.assert_alive()


# --------------------------------------------------------------------------- stomp.py WSStompConnection

def ws_stomp(ep, *, binary_mode=False, heartbeats=(0, 0)):
    """stomp.py's WSStompConnection (STOMP 1.2; it offers no Sec-WebSocket-Protocol, so `auto` must
    pick STOMP), connected."""
    host = "127.0.0.1"  # in the certificate's SAN too; stomp.py would otherwise also try a plain 127.0.0.1
    conn = stomp.WSStompConnection([(host, ep.port)], ws_path="/", vhost="/", heartbeats=heartbeats,
                                   reconnect_attempts_max=1, prefer_localhost=False, try_loopback_connect=False,
                                   timeout=10, binary_mode=binary_mode)
    if ep.tls:
        conn.set_ssl(for_hosts=[(host, ep.port)], ca_certs=ep.ca)
    listener = Collector()
    conn.set_listener("collector", listener)
    conn.connect(wait=True)
    return conn, listener


@pytest.fixture
def stomp_conns():
    opened = []
    yield opened
    for c in opened:
        try:
            if c.is_connected():
                c.disconnect()
        except Exception:
            pass


@TRANSPORTS
def test_stomp_py_send_subscribe_ack(ws_broker, stomp_conns, transport):
    ep = endpoint(ws_broker, transport)
    conn, got = ws_stomp(ep)
    stomp_conns.append(conn)
    q = f"/queue/{uid('wsq')}"
    conn.subscribe(q, id="s1", ack="client-individual")
    conn.send(q, "hello over " + transport, receipt="r1", headers={"colour": "blue"})
    assert got.wait_receipt("r1"), "no RECEIPT for SEND"
    [m] = got.wait_messages(1)
    assert m.body == "hello over " + transport
    assert m.headers["destination"] == q and m.headers["colour"] == "blue"
    conn.ack(m.headers["ack"])
    conn.unsubscribe("s1")
    # acknowledged: a second consumer gets nothing
    other, got2 = ws_stomp(ep)
    stomp_conns.append(other)
    other.subscribe(q, id="s2", ack="auto", receipt="sub2")
    assert got2.wait_receipt("sub2")
    time.sleep(0.3)
    assert got2.bodies() == [], "an ACKed message was delivered again"
    assert not got.errors and not got2.errors
    conn.disconnect(receipt="bye")
    assert got.wait_receipt("bye")


@TRANSPORTS
def test_stomp_py_frame_over_64k_intact(ws_broker, stomp_conns, transport):
    ep = endpoint(ws_broker, transport)
    conn, got = ws_stomp(ep)
    stomp_conns.append(conn)
    q = f"/queue/{uid('big')}"
    body = "".join(chr(ord("a") + (i * 7) % 26) for i in range(200 * 1024))  # 200 KiB, not periodic in 64 KiB
    conn.subscribe(q, id="1")
    conn.send(q, body, receipt="r")
    assert got.wait_receipt("r")
    [m] = got.wait_messages(1)
    assert len(m.body) == len(body) and m.body == body
    assert not got.errors


def test_stomp_large_frame_is_one_ws_message(ws_broker):
    """A STOMP frame over 64 KiB comes back as exactly one WebSocket message (stomp-websocket #49):
    the MESSAGE frame's NUL terminator ends the message that holds its command."""
    _, ws, _ = ws_broker
    c = open_ws(ws, ["v12.stomp"])
    c.send_text(stomp_frame("CONNECT", {"accept-version": "1.2", "host": "/"}))
    assert stomp_command(c.recv_message().payload) == "CONNECTED"
    q = f"/queue/{uid('one')}"
    body = bytes(ord("a") + (i * 13) % 26 for i in range(100 * 1024))
    c.send_text(stomp_frame("SUBSCRIBE", {"id": "1", "destination": q}))
    c.send_text(stomp_frame("SEND", {"destination": q, "content-length": len(body)}, body))
    m = c.recv_message(10)
    assert m.opcode == TEXT, f"reply must use the client's frame type (text): {m!r}"
    assert stomp_command(m.payload) == "MESSAGE", m
    assert m.payload.endswith(b"\x00"), "the frame ended in a later WebSocket message"
    head, _, rest = m.payload.partition(b"\n\n")
    assert rest[:-1] == body, f"body differs: {len(rest) - 1} bytes vs {len(body)}"
    c.close()


# --------------------------------------------------------------------------- MQTT framing edge cases

@pytest.mark.parametrize("version", [raw.MQTT311, raw.MQTT5], ids=["v311", "v5"])
def test_many_mqtt_packets_in_one_message(ws_broker, version):
    """CONNECT + SUBSCRIBE + PUBLISH(QoS 1) + PINGREQ in one binary message (nanomq #1844,
    paho.mqtt.javascript #45): every packet is handled."""
    _, ws, _ = ws_broker
    w = WsMqtt(open_ws(ws, ["mqtt"]))
    topic = uid("ws/many")
    w.send(raw.connect(uid("many"), version=version)
           + raw.subscribe(1, [(topic, 1)], version=version)
           + raw.publish(topic, b"p1", qos=1, packet_id=2, version=version)
           + raw.publish(topic, b"p0", qos=0, version=version)
           + raw.pingreq())
    got = [w.recv() for _ in range(6)]
    types = [p.type for p in got]
    assert types[0] == raw.CONNACK and raw.parse_connack(got[0], version).code == 0, got
    assert types[1] == raw.SUBACK and raw.parse_suback(got[1], version)[1] == [1], got
    assert sorted(types[2:]) == sorted([raw.PUBACK, raw.PUBLISH, raw.PUBLISH, raw.PINGRESP]), got
    pubs = [raw.parse_publish(p, version) for p in got if p.type == raw.PUBLISH]
    assert sorted((p.payload, p.qos) for p in pubs) == [(b"p0", 0), (b"p1", 1)]
    assert set(w.opcodes) == {BINARY}


def test_mqtt_connect_split_at_every_byte_boundary(ws_broker):
    """For every split point k, CONNECT[:k] and CONNECT[k:] in two binary messages gives a CONNACK
    (ngx-mqtt #232)."""
    _, ws, _ = ws_broker
    # v5 with a property and a username/password: long enough to split inside every field
    packet = raw.connect("split-client", version=raw.MQTT5, keepalive=30, username="u", password="p",
                         props={raw.SESSION_EXPIRY_INTERVAL: 0, raw.RECEIVE_MAXIMUM: 10})
    failures = []
    for k in range(1, len(packet)):
        c = open_ws(ws, ["mqtt"])
        w = WsMqtt(c)
        try:
            w.send(packet[:k])
            w.send(packet[k:])
            p = w.recv(5)
            if p.type != raw.CONNACK or raw.parse_connack(p, raw.MQTT5).code != 0:
                failures.append((k, repr(p)))
        except (Closed, socket.timeout, AssertionError) as exc:
            failures.append((k, repr(exc)))
        finally:
            c.close()
    assert not failures, f"CONNECT of {len(packet)} bytes split at these points failed: {failures}"


def test_whole_session_one_byte_per_message(ws_broker):
    """CONNECT, SUBSCRIBE and PUBLISH sent one byte per WebSocket message all work."""
    _, ws, _ = ws_broker
    c = open_ws(ws, ["mqtt"])
    w = WsMqtt(c)
    topic = uid("ws/bytes")
    stream = (raw.connect(uid("bytes")) + raw.subscribe(1, [(topic, 1)])
              + raw.publish(topic, b"byte by byte", qos=1, packet_id=7))
    for i in range(len(stream)):
        c.send_binary(stream[i:i + 1])
    got = [w.recv() for _ in range(4)]
    assert [p.type for p in got[:2]] == [raw.CONNACK, raw.SUBACK], got
    assert sorted(p.type for p in got[2:]) == sorted([raw.PUBACK, raw.PUBLISH]), got
    [pub] = [raw.parse_publish(p, raw.MQTT311) for p in got if p.type == raw.PUBLISH]
    assert pub.payload == b"byte by byte"


def test_fragmented_message_with_ping_between_fragments(ws_broker):
    """A binary message in FIN=0 / continuation frames, with a ping between two fragments: the pong
    comes back and the reassembled CONNECT+SUBSCRIBE is handled."""
    _, ws, _ = ws_broker
    c = open_ws(ws, ["mqtt"])
    topic = uid("ws/frag")
    data = raw.connect(uid("frag")) + raw.subscribe(3, [(topic, 0)])
    a, b, d = data[:5], data[5:17], data[17:]
    c.send_frame(BINARY, a, fin=False)
    c.send_frame(CONT, b, fin=False)
    c.send_frame(PING, b"mid-message")
    c.send_frame(CONT, d, fin=True)
    control = []
    stream = b""
    deadline = time.monotonic() + 5
    while len(stream) < 4 + 5 and time.monotonic() < deadline:  # CONNACK (4) + SUBACK (5)
        m = c.recv_message(5, control=control)
        assert m.opcode != CLOSE, f"closed: {m!r}"
        assert m.opcode == BINARY
        stream += m.payload
    assert stream[:4] == b"\x20\x02\x00\x00", stream
    assert stream[4:9] == b"\x90\x03\x00\x03\x00", stream
    pongs = [f for f in control if f.opcode == PONG]
    if not pongs:
        c.send_frame(PING, b"after")
        pongs = [c.recv_frame()]
        assert pongs[0].opcode == PONG and pongs[0].payload == b"after"
        raise AssertionError("no pong for the ping sent between fragments")
    assert pongs[0].payload == b"mid-message"


def test_stomp_fragmented_and_split_frames(ws_broker):
    """STOMP: a frame in text fragments, a frame split across two messages, and two frames in one
    message are all handled."""
    _, ws, _ = ws_broker
    c = open_ws(ws, ["v12.stomp"])
    connect = stomp_frame("CONNECT", {"accept-version": "1.2", "host": "/"})
    c.send_frame(TEXT, connect[:4], fin=False)
    c.send_frame(CONT, connect[4:10], fin=False)
    c.send_frame(CONT, connect[10:], fin=True)
    assert stomp_command(c.recv_message().payload) == "CONNECTED"
    q = f"/queue/{uid('split')}"
    both = stomp_frame("SUBSCRIBE", {"id": "1", "destination": q}) + stomp_frame(
        "SEND", {"destination": q, "receipt": "r1"}, b"two frames, one message")
    c.send_text(both)
    send = stomp_frame("SEND", {"destination": q}, b"one frame, two messages")
    c.send_text(send[:9])
    c.send_text(send[9:])
    bodies, receipts = [], []
    deadline = time.monotonic() + 5
    while len(bodies) < 2 and time.monotonic() < deadline:
        m = c.recv_message(5)
        assert m.opcode == TEXT, m
        for frame in [f for f in m.payload.split(b"\x00") if f.strip(b"\r\n")]:
            cmd = stomp_command(frame)
            assert cmd in ("MESSAGE", "RECEIPT"), frame
            if cmd == "MESSAGE":
                bodies.append(frame.partition(b"\n\n")[2])
            else:
                receipts.append(frame)
    assert sorted(bodies) == [b"one frame, two messages", b"two frames, one message"]


def test_stomp_replies_in_the_clients_frame_type(ws_broker):
    """Text by default; once the client uses binary frames the broker answers in binary."""
    _, ws, _ = ws_broker
    c = open_ws(ws, ["v12.stomp"])
    c.send_text(stomp_frame("CONNECT", {"accept-version": "1.2", "host": "/"}))
    m = c.recv_message()
    assert (m.opcode, stomp_command(m.payload)) == (TEXT, "CONNECTED")
    q = f"/queue/{uid('bin')}"
    c.send_binary(stomp_frame("SUBSCRIBE", {"id": "1", "destination": q, "receipt": "s"}))
    m = c.recv_message()
    assert (m.opcode, stomp_command(m.payload)) == (BINARY, "RECEIPT"), m
    c.send_binary(stomp_frame("SEND", {"destination": q}, b"\x01\x02binary"))
    m = c.recv_message()
    assert (m.opcode, stomp_command(m.payload)) == (BINARY, "MESSAGE"), m
    assert m.payload.endswith(b"\x01\x02binary\x00")
    c.send_text(stomp_frame("SEND", {"destination": q}, b"text again"))
    m = c.recv_message()
    assert (m.opcode, stomp_command(m.payload)) == (TEXT, "MESSAGE"), m


def test_ping_pong_and_close_handshake(ws_broker):
    _, ws, _ = ws_broker
    c = open_ws(ws, ["mqtt"])
    c.send_frame(PING, b"before connect")
    f = c.recv_frame()
    assert (f.opcode, f.payload) == (PONG, b"before connect")
    w = WsMqtt(c)
    w.send(raw.connect(uid("ping")))
    assert w.recv().type == raw.CONNACK
    c.send_frame(PING, b"")
    f = c.recv_frame()
    assert (f.opcode, f.payload) == (PONG, b"")
    c.send_close(1000, b"bye")
    f = c.recv_close()
    assert f.close_code == 1000, f"broker answered close 1000 with {f!r}"
    c.read_until_closed(5)  # and then closes the TCP connection


def test_broker_shutdown_sends_close_1001(make_broker):
    broker, ws, _ = start_ws_broker(make_broker, None)
    w = mqtt_ws(ws, version=raw.MQTT311)
    s = open_ws(ws, ["v12.stomp"])
    s.send_text(stomp_frame("CONNECT", {"accept-version": "1.2", "host": "/"}))
    assert stomp_command(s.recv_message().payload) == "CONNECTED"
    os.kill(broker.proc.pid, signal.SIGTERM)
    for c in (w.ws, s):
        f = c.recv_close(10)
        assert f.close_code == 1001, f"on shutdown the broker sent {f!r}, expected close 1001 (going away)"
    broker.proc.wait(timeout=10)


@pytest.mark.parametrize("how", ["one-frame", "fragments"])
def test_message_past_max_size_gets_close_1009(make_broker, peers, how):
    broker, ws, _ = start_ws_broker(make_broker, None, ws={"max_message_size": 1024})
    w = mqtt_ws(ws)
    # just under the limit is fine
    topic = uid("ws/max")
    w.send(raw.subscribe(1, [(topic, 0)]))
    assert w.recv_type(raw.SUBACK).type == raw.SUBACK
    ok = raw.publish(topic, b"x" * 900)
    assert len(ok) <= 1024
    w.send(ok)
    assert raw.parse_publish(w.recv_type(raw.PUBLISH), raw.MQTT311).payload == b"x" * 900
    big = raw.publish(topic, b"y" * 3000)
    if how == "one-frame":
        w.ws.send_binary(big)
    else:  # each fragment is under the limit, the message is not: two 600-byte fragments, no FIN yet
        w.ws.send_frame(BINARY, big[:600], fin=False)
        w.ws.send_frame(CONT, big[600:1200], fin=False)
    try:
        f = w.ws.recv_close(5)
    except Closed as exc:
        raise AssertionError(f"broker closed the TCP connection without a Close frame: {exc}")
    assert f.close_code == 1009, f"expected close 1009 (message too big), got {f!r}"
    assert_serving(broker, peers)


def http_exchange(port: int, data: bytes, timeout: float = 5.0, tls_ca: str | None = None) -> bytes:
    """Sends bytes to a ws(s) port; returns what came back before the broker closed.
    Fails if the broker keeps the connection open (a hang) after answering."""
    c = WSClient("127.0.0.1", port, timeout=timeout, tls_ca=tls_ca)
    try:
        c.send_raw(data)
        try:
            return c.read_until_closed(timeout)
        except socket.timeout:
            raise AssertionError(f"broker kept the connection open {timeout}s after {data[:60]!r}; "
                                 f"it sent {c.buf[:200]!r}")
    finally:
        c.close()


def status_of(reply: bytes) -> int | None:
    if not reply.startswith(b"HTTP/1."):
        return None
    return int(reply.split(b" ", 2)[1])


@TRANSPORTS
def test_unknown_subprotocol_gets_400(ws_broker, transport):
    ep = endpoint(ws_broker, transport)
    data, _ = WSClient.request_bytes("/", subprotocols=["amqp", "xmpp"])
    reply = http_exchange(ep.port, data, tls_ca=ep.ca if ep.tls else None)
    assert status_of(reply) == 400, f"unknown subprotocol: broker answered {reply[:300]!r}"


@pytest.mark.parametrize("case", ["no-key", "no-upgrade-header", "plain-get", "post"])
def test_bad_upgrade_gets_400(ws_broker, case):
    _, ws, _ = ws_broker
    if case == "no-key":
        data, _ = WSClient.request_bytes("/", key=None, subprotocols=["mqtt"])
    elif case == "no-upgrade-header":
        data, _ = WSClient.request_bytes("/", upgrade=False, subprotocols=["mqtt"])
    elif case == "plain-get":
        data = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    else:
        data = b"POST /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\nabc"
    reply = http_exchange(ws.port, data)
    if case == "no-key":
        assert status_of(reply) == 400, f"upgrade without Sec-WebSocket-Key: broker answered {reply[:300]!r}"
    else:  # a non-WebSocket request: 400, or a plain close
        assert status_of(reply) == 400 or reply == b"", f"non-WebSocket request: broker answered {reply[:300]!r}"


@pytest.mark.parametrize("data", [
    b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00",               # plain MQTT CONNECT on the ws port
    b"\x00\xff\xfe\x01garbage\r\n\r\n",
    b"xx garbage\r\nGET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    b"CONNECT\naccept-version:1.2\n\n\x00",                          # STOMP without the upgrade
    os.urandom(4096),
], ids=["mqtt-connect", "binary-junk", "junk-then-upgrade", "raw-stomp", "random-4k"])
def test_garbage_instead_of_upgrade_is_answered_or_closed(ws_broker, peers, data):
    broker, ws, _ = ws_broker
    reply = http_exchange(ws.port, data)
    assert status_of(reply) in (400, None), reply[:300]
    assert not reply.startswith(b"HTTP/1.1 101"), reply[:300]
    if reply:
        assert status_of(reply) == 400, f"garbage got {reply[:300]!r}"
    assert_serving(broker, peers)


def test_garbage_on_wss_port_is_closed(ws_broker, peers):
    broker, _, wss = ws_broker
    reply = http_exchange(wss.port, b"GET / HTTP/1.1\r\n\r\n" + os.urandom(200))  # no TLS at all
    assert not reply.startswith(b"HTTP/1.1 101")
    assert_serving(broker, peers)


@pytest.mark.parametrize("subprotocol", ["mqtt", None], ids=["mqtt", "stomp-by-default"])
def test_silent_client_after_upgrade_is_dropped_at_connect_timeout(make_broker, subprotocol):
    broker, ws, _ = start_ws_broker(make_broker, None, limits={"connect_timeout": 2})
    c = open_ws(ws, [subprotocol] if subprotocol else None)
    t0 = time.monotonic()
    try:
        leftover = c.read_until_closed(8)
    except socket.timeout:
        raise AssertionError("a client that upgraded and sent nothing was still connected after 8 s "
                             "(connect_timeout is 2 s)")
    elapsed = time.monotonic() - t0
    assert 1.0 <= elapsed <= 5.0, f"dropped after {elapsed:.2f}s; connect_timeout is 2 s"
    # what came before the TCP close may only be a Close frame (or, for STOMP, an ERROR frame)
    c.buf = leftover
    frames = []
    while c.buf:
        frames.append(c.recv_frame(0.1))
    assert all(f.opcode in (CLOSE, TEXT, BINARY) for f in frames), frames
    broker.assert_alive()


def test_silent_client_before_upgrade_is_dropped(make_broker):
    """A TCP client that never sends its HTTP request is dropped too (at the connect timeout);
    otherwise idle sockets could pin the listener."""
    broker, ws, _ = start_ws_broker(make_broker, None, limits={"connect_timeout": 2})
    c = WSClient("127.0.0.1", ws.port)
    t0 = time.monotonic()
    try:
        c.read_until_closed(10)
    except socket.timeout:
        raise AssertionError("a TCP client that never sent the HTTP upgrade was still connected after 10 s "
                             "(connect_timeout is 2 s)")
    assert time.monotonic() - t0 <= 6


def test_mqtt_keepalive_applies_over_websocket(ws_broker):
    """A client with keepalive 1 s that goes quiet after CONNACK is dropped at 1.5 × keepalive."""
    _, ws, _ = ws_broker
    w = mqtt_ws(ws, keepalive=1)
    t0 = time.monotonic()
    try:
        w.ws.read_until_closed(6)
    except socket.timeout:
        raise AssertionError("still connected 6 s after going quiet with keepalive 1 s")
    assert time.monotonic() - t0 <= 4


def test_path_mismatch_gets_404(make_broker):
    broker, ws, _ = start_ws_broker(make_broker, None, ws={"path": "/mqtt"})
    data, _ = WSClient.request_bytes("/other", subprotocols=["mqtt"])
    reply = http_exchange(ws.port, data)
    assert status_of(reply) == 404, f"GET /other on a path: /mqtt listener: {reply[:300]!r}"
    data, _ = WSClient.request_bytes("/", subprotocols=["mqtt"])
    assert status_of(http_exchange(ws.port, data)) == 404
    # the configured path works
    mqtt_ws(ws)


def test_disallowed_origin_gets_403(make_broker):
    broker, ws, _ = start_ws_broker(make_broker, None, ws={"allowed_origins": ["https://dash.example"]})
    data, _ = WSClient.request_bytes("/", subprotocols=["mqtt"], origin="https://evil.example")
    reply = http_exchange(ws.port, data)
    assert status_of(reply) == 403, f"Origin https://evil.example: broker answered {reply[:300]!r}"
    # the allowed origin, and no Origin at all (a non-browser client), both upgrade
    c = ws.client()
    c.handshake("/", subprotocols=["mqtt"], origin="https://dash.example")
    w = WsMqtt(c)
    w.send(raw.connect(uid("origin")))
    assert raw.parse_connack(w.recv(), raw.MQTT311).code == 0
    mqtt_ws(ws)


@pytest.mark.parametrize("offered,chosen,protocol", [
    (None, None, "stomp"),
    (["mqtt"], "mqtt", "mqtt"),
    (["mqttv3.1"], "mqttv3.1", "mqtt31"),
    (["v10.stomp", "v12.stomp", "v11.stomp"], "v12.stomp", "stomp"),
    (["v11.stomp"], "v11.stomp", "stomp"),
    (["stomp"], "stomp", "stomp"),
    (["xmpp", "mqtt"], "mqtt", "mqtt"),
], ids=["none-is-stomp", "mqtt", "mqttv3.1", "highest-stomp", "v11.stomp", "stomp", "unknown-then-mqtt"])
def test_auto_protocol_choice_and_echo(ws_broker, offered, chosen, protocol):
    _, ws, _ = ws_broker
    c = ws.client()
    r = c.handshake("/", subprotocols=offered)
    assert r.header("sec-websocket-protocol") == chosen, f"offered {offered}, response head {r.raw!r}"
    if protocol == "stomp":
        c.send_text(stomp_frame("CONNECT", {"accept-version": "1.0,1.1,1.2", "host": "/"}))
        m = c.recv_message()
        assert stomp_command(m.payload) == "CONNECTED", m
    else:
        w = WsMqtt(c)
        version = raw.MQTT31 if protocol == "mqtt31" else raw.MQTT311
        w.send(raw.connect(uid("auto"), version=version))
        assert raw.parse_connack(w.recv(), version).code == 0
    c.close()


@pytest.mark.parametrize("fixed", ["mqtt", "stomp"])
def test_fixed_protocol_listener(make_broker, fixed):
    """`protocol: mqtt` / `protocol: stomp` fixes the protocol whatever (if anything) is offered."""
    broker, ws, _ = start_ws_broker(make_broker, None, ws={"protocol": fixed})
    offered = ["mqtt"] if fixed == "mqtt" else ["v12.stomp"]
    for subprotocols in (offered, None):
        c = ws.client()
        r = c.handshake("/", subprotocols=subprotocols)
        if subprotocols:
            assert r.header("sec-websocket-protocol") == offered[0], r.raw
        if fixed == "stomp":
            c.send_text(stomp_frame("CONNECT", {"accept-version": "1.2", "host": "/"}))
            assert stomp_command(c.recv_message().payload) == "CONNECTED"
        else:
            w = WsMqtt(c)
            w.send(raw.connect(uid("fixed")))
            assert raw.parse_connack(w.recv(), raw.MQTT311).code == 0
        c.close()


def test_trust_proxy_logs_forwarded_address(make_broker, tmp_path):
    """With trust_proxy the client address in the broker's logs is X-Forwarded-For's first entry."""
    broker, ws, _ = start_ws_broker(make_broker, None, ws={"trust_proxy": True})
    # log at debug so connection events are written whatever the default level logs
    cfg = yaml.safe_load(open(broker.config_path))
    cfg["logging"] = {"level": "debug"}
    with open(broker.config_path, "w") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    broker.restart()
    assert wait_until(lambda: port_open(ws.port), 10)
    c = ws.client()
    c.handshake("/", subprotocols=["mqtt"], headers={"X-Forwarded-For": "203.0.113.7, 10.9.8.7"})
    w = WsMqtt(c)
    w.send(raw.connect("behind-proxy"))
    assert raw.parse_connack(w.recv(), raw.MQTT311).code == 0
    w.send(raw.disconnect())
    c.read_until_closed(5)

    def logs():
        out = ""
        for name in os.listdir(broker.workdir):
            if name.startswith("broker-") and (name.endswith(".stdout") or name.endswith(".stderr")):
                out += open(os.path.join(broker.workdir, name), errors="replace").read()
        return out
    assert wait_until(lambda: "203.0.113.7" in logs(), 3), (
        "the forwarded client address 203.0.113.7 does not appear in the broker's logs (level debug):\n"
        + logs()[-3000:])


# --------------------------------------------------------------------------- across transports

def test_mqtt_tcp_publish_reaches_stomp_wss_subscriber(ws_broker, peers, stomp_conns):
    broker, _, wss = ws_broker
    base = uid("x")
    conn, got = ws_stomp(wss)
    stomp_conns.append(conn)
    conn.subscribe(f"/topic/{base}.b", id="1", receipt="s")
    assert got.wait_receipt("s")
    pub = peers.connected(broker, version=5)
    pub.publish(f"{base}/b", b"from mqtt/tcp", qos=1)
    [m] = got.wait_messages(1)
    assert m.body == "from mqtt/tcp"
    assert m.headers["destination"] == f"/topic/{base}.b"


def test_stomp_ws_send_reaches_mqtt_tcp_subscriber(ws_broker, peers, stomp_conns):
    broker, ws, _ = ws_broker
    base = uid("y")
    sub = peers.connected(broker, version=5)
    sub.subscribe(f"{base}/b", qos=1)
    conn, got = ws_stomp(ws)
    stomp_conns.append(conn)
    conn.send(f"/topic/{base}.b", "from stomp/ws", receipt="r")
    assert got.wait_receipt("r")
    [m] = sub.wait_messages(1)
    assert (m.topic, m.payload) == (f"{base}/b", b"from stomp/ws")


def test_mqtt_ws_to_stomp_ws_binary_payload(ws_broker):
    """MQTT over ws → STOMP over ws, a binary payload (with NULs) intact via content-length."""
    _, ws, _ = ws_broker
    base = uid("z")
    s = open_ws(ws, ["v12.stomp"])
    s.send_text(stomp_frame("CONNECT", {"accept-version": "1.2", "host": "/"}))
    assert stomp_command(s.recv_message().payload) == "CONNECTED"
    s.send_text(stomp_frame("SUBSCRIBE", {"id": "1", "destination": f"/topic/{base}.c", "receipt": "s"}))
    assert stomp_command(s.recv_message().payload) == "RECEIPT"
    w = mqtt_ws(ws)
    payload = b"\x00\x01bin\x00ary\xff"
    w.send(raw.publish(f"{base}/c", payload, qos=1, packet_id=5))
    assert w.recv_type(raw.PUBACK).type == raw.PUBACK
    m = s.recv_message()
    assert stomp_command(m.payload) == "MESSAGE"
    head, _, rest = m.payload.partition(b"\n\n")
    assert b"content-length:%d" % len(payload) in head, head
    assert rest == payload + b"\x00"
