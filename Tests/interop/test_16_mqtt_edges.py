"""MQTT edge cases found by testing as a new user would (issue #9): publishing into $SYS, topic
depth, the 3.1 CONNACK, U+0000 in topics, takeover of a clean session, the subscribe/publish
race and the $SYS byte counters. Raw sockets where the exact bytes matter, real mosquitto
clients elsewhere. Every case also runs against mosquitto (BROKER=mosquitto) except where Pier
deliberately differs, which the test says.
"""

import socket
import time

import pytest

import mqttraw as raw
from conftest import IS_MOSQUITTO, assert_serving, uid

RAW_VERSIONS = pytest.mark.parametrize("version", [raw.MQTT311, raw.MQTT5])
NOT_AUTHORIZED, TOPIC_FILTER_INVALID, TOPIC_NAME_INVALID, MALFORMED = 0x87, 0x8F, 0x90, 0x81


def connected(peers, broker, version, client_id=None, **kwargs):
    c = peers.raw(broker)
    ack = c.connect(client_id or uid("edge"), version=version, **kwargs)
    assert ack.code == 0, ack
    return c


def publish_qos1(c, topic, payload, version, packet_id=1):
    """QoS 1 PUBLISH; returns the PUBACK reason code."""
    c.send(raw.publish(topic, payload, qos=1, packet_id=packet_id, version=version))
    pid, code = raw.parse_ack(c.recv_type(raw.PUBACK, 10))
    assert pid == packet_id
    return code


def received_topics_until(c, sentinel, version, timeout=10.0):
    """Read PUBLISHes (acking QoS 1) until one on `sentinel` arrives; return all topics seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while sentinel not in seen:
        p = c.recv(max(0.01, deadline - time.monotonic()))
        if p.type != raw.PUBLISH:
            continue
        pub = raw.parse_publish(p, version)
        if pub.qos == 1:
            c.send(raw.ack(raw.PUBACK, pub.packet_id))
        seen.append(pub.topic)
    return seen


# --------------------------------------------------------------------------- 1. $SYS

@RAW_VERSIONS
def test_publish_into_sys_is_refused(broker, peers, version):
    base = f"$SYS/test/{uid('s')}"
    sentinel = f"sentinel/{uid('s')}"
    sub = connected(peers, broker, version)
    assert sub.subscribe(f"{base}/#", 1, version=version) == [1]
    assert sub.subscribe(sentinel, 1, version=version, packet_id=2) == [1]
    pub = connected(peers, broker, version)
    code = publish_qos1(pub, f"{base}/fake", b"forged", version)
    # 5.0: PUBACK 0x87; 3.1.1 cannot refuse, so the broker acknowledges and drops (as mosquitto does).
    assert code == (NOT_AUTHORIZED if version == raw.MQTT5 else 0)
    # Same publisher, same subscriber: once the sentinel is in, the forged message would have been too.
    assert publish_qos1(pub, sentinel, b"end", version, packet_id=2) == 0
    assert received_topics_until(sub, sentinel, version) == [sentinel]
    assert_serving(broker, peers)


@pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto 2.0.11 without an ACL file accepts a $SYS will")
@RAW_VERSIONS
def test_will_into_sys_is_refused_at_connect(broker, peers, version):
    # A will is a publish the broker makes later for the client: a $SYS will would forge broker
    # statistics through the back door, so CONNECT is refused (0x87 in 5.0, return code 5 in 3.1.1).
    c = peers.raw(broker)
    ack = c.connect(uid("will"), version=version, will_topic="$SYS/broker/uptime", will_payload=b"forged")
    assert ack.code == (NOT_AUTHORIZED if version == raw.MQTT5 else 5), ack
    assert_serving(broker, peers)


@pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto refuses $SYS writes even when its ACL grants them")
def test_publish_into_sys_allowed_by_an_explicit_acl_rule(make_broker, peers, tmp_path):
    acl = tmp_path / "acl"
    acl.write_text("topic readwrite #\ntopic readwrite $SYS/gateway/#\n")
    broker = make_broker(acl_file=str(acl))
    sub = connected(peers, broker, raw.MQTT5)
    assert sub.subscribe("$SYS/gateway/#", 1, version=raw.MQTT5) == [1]
    pub = connected(peers, broker, raw.MQTT5)
    assert publish_qos1(pub, "$SYS/gateway/status", b"up", raw.MQTT5) == 0
    assert received_topics_until(sub, "$SYS/gateway/status", raw.MQTT5) == ["$SYS/gateway/status"]
    # `topic readwrite #` does not reach $SYS (a leading wildcard never matches `$` topics).
    assert publish_qos1(pub, "$SYS/broker/uptime", b"forged", raw.MQTT5, packet_id=2) == NOT_AUTHORIZED


# --------------------------------------------------------------------------- 2. topic depth

LIMIT = 200  # Pier's, after mosquitto 1.x's TOPIC_HIERARCHY_LIMIT
# mosquitto 2.0.11 accepts deeper topics (checked with BROKER=mosquitto), so these are Pier's own rules.
PIER_ONLY_DEPTH = pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto 2.0.11 has no topic depth limit")


@PIER_ONLY_DEPTH
@RAW_VERSIONS
def test_filter_deeper_than_the_limit_is_refused(broker, peers, version):
    c = connected(peers, broker, version)
    deep = "/".join(["a"] * (LIMIT + 1))
    # 5.0: 0x8F Topic Filter invalid; 3.1.1's only failure code is 0x80.
    assert c.subscribe(deep, 1, version=version) == [TOPIC_FILTER_INVALID if version == raw.MQTT5 else 0x80]
    assert c.subscribe("/".join(["a"] * LIMIT), 1, version=version, packet_id=2) == [1]
    # 65,535 bytes of slashes: 65,536 levels.
    c.send(raw.subscribe(3, [("/" * 65_000, 1)], version=version))
    _, codes = raw.parse_suback(c.recv_type(raw.SUBACK, 10), version)
    assert codes == [TOPIC_FILTER_INVALID if version == raw.MQTT5 else 0x80]
    assert_serving(broker, peers)


@PIER_ONLY_DEPTH
@RAW_VERSIONS
def test_publish_deeper_than_the_limit_is_refused(broker, peers, version):
    c = connected(peers, broker, version)
    c.send(raw.publish("/".join(["a"] * (LIMIT + 1)), b"x", qos=1, version=version))
    got = c.wait_closed(10)
    if version == raw.MQTT5:
        assert got and got[-1].type == raw.DISCONNECT and raw.disconnect_reason(got[-1]) == TOPIC_NAME_INVALID, got
    else:
        assert [p for p in got if p.type == raw.PUBACK] == [], got
    ok = connected(peers, broker, version)
    assert publish_qos1(ok, "/".join(["a"] * LIMIT), b"x", version) == 0
    assert_serving(broker, peers)


# --------------------------------------------------------------------------- 3. MQTT 3.1 CONNACK

def test_mqtt31_connack_never_sets_session_present(broker, peers):
    cid = uid("v31")
    first = peers.raw(broker)
    assert first.connect(cid, version=raw.MQTT31, clean=False).code == 0
    first.send(raw.subscribe(1, [("v31/t", 1)]))
    first.recv_type(raw.SUBACK)
    first.send(raw.disconnect())
    first.wait_closed(10)
    again = peers.raw(broker)
    again.send(raw.connect(cid, version=raw.MQTT31, clean=False))
    p = again.recv(10)
    assert p.type == raw.CONNACK
    # 3.1's first CONNACK byte is reserved: 0, although the session was resumed.
    assert p.body == b"\x00\x00", p


# --------------------------------------------------------------------------- 4. U+0000

@RAW_VERSIONS
def test_null_character_in_topic_is_a_malformed_packet(broker, peers, version):
    c = connected(peers, broker, version)
    c.send(raw.publish("a\x00b", b"x", qos=0, version=version))
    got = c.wait_closed(10)
    if version == raw.MQTT5:
        # MQTT-1.5.4-2: malformed packet, 0x81 (not 0x90 Topic Name invalid), as mosquitto answers.
        assert got and raw.disconnect_reason(got[-1]) == MALFORMED, got
    else:
        assert got == [], got
    assert_serving(broker, peers)


# --------------------------------------------------------------------------- 5. takeover of a clean session

def test_clean_session_taken_over_by_a_resuming_connect_is_not_present(broker, peers):
    cid = uid("take")
    first = peers.raw(broker)
    assert first.connect(cid, version=raw.MQTT311, clean=True).code == 0
    assert first.subscribe("take/t", 1) == [1]
    second = peers.raw(broker)
    ack = second.connect(cid, version=raw.MQTT311, clean=False)
    assert ack.code == 0
    assert ack.session_present is False, "the clean session ended with its connection"
    first.wait_closed(10)
    # Nothing of the old session survived: its subscription is gone.
    pub = connected(peers, broker, raw.MQTT311)
    publish_qos1(pub, "take/t", b"old-sub", raw.MQTT311)
    publish_qos1(pub, f"take/{cid}", b"sentinel", raw.MQTT311, packet_id=2)
    assert second.subscribe(f"take/{cid}", 1, packet_id=5) == [1]
    publish_qos1(pub, f"take/{cid}", b"sentinel", raw.MQTT311, packet_id=3)
    assert received_topics_until(second, f"take/{cid}", raw.MQTT311) == [f"take/{cid}"]


# --------------------------------------------------------------------------- 6. subscribe/publish race

ROUNDS = 150


def test_subscription_is_in_effect_for_publishes_after_suback_and_racing_ones_arrive_at_most_once(broker, peers):
    """B subscribes to a fresh topic; A publishes QoS 1 to it, in even rounds once B has its SUBACK,
    in odd rounds immediately after B's SUBSCRIBE was sent. After SUBACK the message must arrive,
    every round. Before it, neither Pier nor mosquitto can promise anything: the SUBSCRIBE may not
    have been read yet when the PUBLISH is (mosquitto 2.0.11 misses such rounds on this machine
    too). What must still hold there: at most one copy, and a second publish after SUBACK arrives."""
    a = connected(peers, broker, raw.MQTT311)
    b = connected(peers, broker, raw.MQTT311)
    pid = 0
    raced_missed = 0
    for i in range(ROUNDS):
        topic = f"race/{uid('r')}"
        b.send(raw.subscribe(1, [(topic, 1)]))
        wait_for_suback = i % 2 == 0
        got_suback = False
        if wait_for_suback:
            _, codes = raw.parse_suback(b.recv_type(raw.SUBACK, 10), raw.MQTT311)
            assert codes == [1]
            got_suback = True
        pid = pid % 60000 + 1
        publish_qos1(a, topic, b"first", raw.MQTT311, packet_id=pid)
        pid = pid % 60000 + 1
        # The marker is published after A's first PUBACK and after B's SUBACK, so it must arrive;
        # once it has, anything of "first" that was coming has come (same publisher, same subscriber).
        if not got_suback:
            _, codes = raw.parse_suback(b.recv_type(raw.SUBACK, 10), raw.MQTT311)
            assert codes == [1]
        publish_qos1(a, topic, b"marker", raw.MQTT311, packet_id=pid)
        payloads = []
        deadline = time.monotonic() + 10
        while b"marker" not in payloads:
            p = b.recv(max(0.01, deadline - time.monotonic()))
            if p.type != raw.PUBLISH:
                continue
            pub = raw.parse_publish(p, raw.MQTT311)
            assert pub.topic == topic, f"round {i}: message from another round {pub.topic}"
            b.send(raw.ack(raw.PUBACK, pub.packet_id))
            payloads.append(pub.payload)
        if wait_for_suback:
            assert payloads == [b"first", b"marker"], f"round {i} (after SUBACK): {payloads}"
        else:
            assert payloads in ([b"first", b"marker"], [b"marker"]), f"round {i} (racing): {payloads}"
            raced_missed += payloads == [b"marker"]
    print(f"racing rounds that missed the first message: {raced_missed} of {ROUNDS // 2}")


# --------------------------------------------------------------------------- 8. $SYS bytes

def test_sys_bytes_received_counts_socket_bytes_once(broker, peers):
    """`$SYS/broker/bytes/received` is every byte clients sent, once: here exactly what our two
    clients wrote (the broker's own $SYS publishes are not client traffic)."""
    sent = 0
    watcher = peers.raw(broker)
    data = raw.connect(uid("w"), version=raw.MQTT311)
    watcher.send(data)
    sent += len(data)
    assert raw.parse_connack(watcher.recv(10), raw.MQTT311).code == 0

    pub = peers.raw(broker)
    data = raw.connect(uid("p"), version=raw.MQTT311)
    pub.send(data)
    sent += len(data)
    assert raw.parse_connack(pub.recv(10), raw.MQTT311).code == 0
    data = raw.publish(f"bytes/{uid('t')}", b"x" * 10_000, qos=1, packet_id=1)
    pub.send(data)
    sent += len(data)
    pub.recv_type(raw.PUBACK)

    data = raw.subscribe(1, [("$SYS/broker/bytes/received", 0)])
    watcher.send(data)
    sent += len(data)
    values = []
    deadline = time.monotonic() + 15
    # The figure is republished every second; the first (retained) one may predate our last packet.
    while (not values or values[-1] < sent) and time.monotonic() < deadline:
        try:
            p = watcher.recv(max(0.01, deadline - time.monotonic()))
        except socket.timeout:
            break
        if p.type == raw.PUBLISH:
            values.append(int(raw.parse_publish(p, raw.MQTT311).payload))
    assert values and values[-1] == sent, f"sent {sent} bytes, $SYS said {values}"


# --------------------------------------------------------------------------- 7. offline queue drops

def _offline_subscriber(peers, broker, cid, topic):
    c = peers.raw(broker)
    assert c.connect(cid, version=raw.MQTT311, clean=False).code == 0
    assert c.subscribe(topic, 1) == [1]
    c.send(raw.disconnect())
    c.wait_closed(10)


def _drain(c, n, timeout=20.0):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < n:
        try:
            p = c.recv(max(0.01, deadline - time.monotonic()))
        except socket.timeout:
            break
        if p.type == raw.PUBLISH:
            pub = raw.parse_publish(p, raw.MQTT311)
            c.send(raw.ack(raw.PUBACK, pub.packet_id))
            got.append(pub.payload)
    return got


@pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto bounds offline queues by max_queued_messages (1000 here)")
def test_offline_queue_keeps_more_than_max_queued_messages_by_default(broker, peers):
    cid, topic = uid("off"), f"off/{uid('t')}"
    _offline_subscriber(peers, broker, cid, topic)
    pub = connected(peers, broker, raw.MQTT311)
    n = broker.limits["max_queued_messages"] + 500
    for i in range(n):
        pub.send(raw.publish(topic, f"{i}".encode(), qos=1, packet_id=i % 60000 + 1))
    for _ in range(n):
        pub.recv_type(raw.PUBACK, 10)
    back = peers.raw(broker)
    ack = back.connect(cid, version=raw.MQTT311, clean=False)
    assert ack.session_present
    assert _drain(back, n) == [f"{i}".encode() for i in range(n)]


@pytest.mark.skipif(IS_MOSQUITTO, reason="max_queued_bytes and messages/dropped/offline are Pier's")
def test_offline_queue_over_its_byte_limit_drops_counts_and_warns(make_broker, peers):
    broker = make_broker(limits={"max_queued_bytes": 5_000})
    cid, topic = uid("full"), f"full/{uid('t')}"
    _offline_subscriber(peers, broker, cid, topic)
    watcher = connected(peers, broker, raw.MQTT311)
    pub = connected(peers, broker, raw.MQTT311)
    size = 1_000 - len(topic)  # payload + topic = 1,000 bytes: five fit
    for i in range(8):
        assert publish_qos1(pub, topic, bytes([65 + i]) * size, raw.MQTT311, packet_id=i + 1) == 0
    assert watcher.subscribe("$SYS/broker/messages/dropped/offline", 0) == [0]
    values = []
    deadline = time.monotonic() + 15
    while (not values or values[-1] < 3) and time.monotonic() < deadline:
        p = watcher.recv(max(0.01, deadline - time.monotonic()))
        if p.type == raw.PUBLISH:
            values.append(int(raw.parse_publish(p, raw.MQTT311).payload))
    assert values and values[-1] == 3, values
    log = broker.stderr() + open(broker._log_path("stdout"), errors="replace").read()
    warnings = [line for line in log.splitlines() if "offline queue full" in line]
    assert len(warnings) == 1 and cid in warnings[0], log[-2000:]
    back = peers.raw(broker)
    assert back.connect(cid, version=raw.MQTT311, clean=False).session_present
    assert [p[:1] for p in _drain(back, 5)] == [b"A", b"B", b"C", b"D", b"E"]
