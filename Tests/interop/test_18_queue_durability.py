"""kill -9 of the broker while it holds queue state, proven with stomp.py against Pier's log:
receipted persistent sends survive, a committed transaction is there whole and an unfinished one is
absent, unacknowledged messages come back flagged redelivered, acknowledged ones do not. Also: a data
directory written by the release before queues (record format 1) opens and serves its sessions."""

import os
import shutil
import threading
import time

import pytest

import mqttraw as raw
from conftest import HOST, uid
from stomp_support import open_connection

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "PierPersistenceTests", "Fixtures")


def drain(target, queue, expected, ack=True, timeout=15.0):
    """Consumes `queue` until `expected` messages arrived (or the time is up); returns the frames."""
    conn, got = open_connection(target)
    # Acks come only at the end, so the prefetch (1000 by default, as in ActiveMQ) must cover them all:
    # on a quiet machine more than 1000 sends are receipted before the kill.
    conn.subscribe(queue, id="d", ack="client-individual", headers={"activemq.prefetchSize": str(max(1000, expected + 1))})
    got.wait_messages(expected, timeout)
    time.sleep(0.3)
    frames = got.take()
    if ack:
        for m in frames:
            conn.ack(m.headers["ack"])
    conn.disconnect(receipt="drained")
    got.wait_receipt("drained")
    return frames


def test_receipted_persistent_sends_survive_kill9(make_stomp_broker):
    target = make_stomp_broker()
    queue = f"/queue/{uid('durable')}"
    conn, got = open_connection(target)
    receipted = []
    sent = 0
    stop = threading.Event()

    def sender():
        nonlocal sent
        try:
            while not stop.is_set() and sent < 3000:
                conn.send(queue, f"m{sent}", headers={"persistent": "true"}, receipt=f"r{sent}")
                sent += 1
        except Exception:
            pass  # the broker went away mid-send

    t = threading.Thread(target=sender)
    t.start()
    assert got.wait(lambda: len(got.receipts) >= 200, 20), "receipts before the kill"
    target.broker.kill9()
    stop.set()
    t.join(10)
    receipted = {r[1:] for r in got.receipts}
    target.broker.start()
    frames = drain(target, queue, len(receipted))
    bodies = [m.body for m in frames]
    missing = {f"m{i}" for i in receipted} - set(bodies)
    assert not missing, f"{len(missing)} receipted messages lost, e.g. {sorted(missing)[:5]}"
    assert len(bodies) == len(set(bodies)), "no message twice"


def test_committed_transaction_is_whole_and_an_unfinished_one_absent_after_kill9(make_stomp_broker):
    target = make_stomp_broker()
    done_q, open_q, racing_q = (f"/queue/{uid(n)}" for n in ("committed", "open", "racing"))
    conn, got = open_connection(target)
    tx = conn.begin()
    for i in range(50):
        conn.send(done_q, f"c{i}", headers={"persistent": "true"}, transaction=tx)
    conn.commit(tx, headers={"receipt": "committed"})
    assert got.wait_receipt("committed")
    tx2 = conn.begin()
    for i in range(50):
        conn.send(open_q, f"o{i}", headers={"persistent": "true"}, transaction=tx2)
    # A commit racing the kill: after the restart it is all there or not at all.
    tx3 = conn.begin()
    for i in range(100):
        conn.send(racing_q, f"x{i}", headers={"persistent": "true"}, transaction=tx3)
    conn.commit(tx3)
    target.broker.kill9()
    target.broker.start()
    assert sorted(m.body for m in drain(target, done_q, 50)) == sorted(f"c{i}" for i in range(50))
    assert drain(target, open_q, 1, timeout=1.0) == []
    racing = drain(target, racing_q, 100, timeout=3.0)
    assert len(racing) in (0, 100), f"a transaction split by the crash: {len(racing)} of 100"


def test_unacked_messages_come_back_redelivered_and_acked_ones_do_not(make_stomp_broker):
    target = make_stomp_broker()
    queue = f"/queue/{uid('unacked')}"
    producer, _ = open_connection(target)
    for i in range(6):
        producer.send(queue, f"u{i}", headers={"persistent": "true"}, receipt=f"p{i}")
    producer.disconnect(receipt="done")
    conn, got = open_connection(target)
    conn.subscribe(queue, id="1", ack="client-individual")
    frames = got.wait_messages(6)
    assert [m.body for m in frames] == [f"u{i}" for i in range(6)]
    assert all("redelivered" not in m.headers for m in frames)
    for m in frames[:2]:
        conn.ack(m.headers["ack"], receipt=f"a-{m.body}")
    assert got.wait_receipt("a-u1")
    target.broker.kill9()
    target.broker.start()
    again = drain(target, queue, 4)
    assert [m.body for m in again] == ["u2", "u3", "u4", "u5"]
    assert all(m.headers.get("redelivered") == "true" for m in again)


def test_durable_topic_subscription_survives_kill9(make_stomp_broker):
    target = make_stomp_broker()
    topic = f"/topic/{uid('dt')}"
    cid = uid("app")
    conn, got = open_connection(target, client_id=cid)
    conn.subscribe(topic, id="1", headers={"activemq.subscriptionName": "s"}, receipt="sub")
    assert got.wait_receipt("sub")
    conn.disconnect(receipt="bye")
    p, pg = open_connection(target)
    p.send(topic, "kept", headers={"persistent": "true"}, receipt="sent")
    assert pg.wait_receipt("sent")
    target.broker.kill9()
    target.broker.start()
    conn, got = open_connection(target, client_id=cid)
    conn.subscribe(topic, id="1", headers={"activemq.subscriptionName": "s"})
    assert [m.body for m in got.wait_messages(1)] == ["kept"]
    conn.disconnect()


# --------------------------------------------------------------------------- upgrade

@pytest.mark.parametrize("fixture", ["v1-killed", "v1-stopped"])
def test_a_format_one_data_directory_serves_its_sessions(make_broker, tmp_path, fixture):
    broker = make_broker()
    broker.stop()
    shutil.rmtree(broker.data_dir)
    shutil.copytree(os.path.join(FIXTURES, fixture), broker.data_dir)
    broker.start()

    offline = raw.RawClient(HOST, broker.port)
    ack = offline.connect("fx-offline", version=raw.MQTT5, clean=False, props=[(raw.SESSION_EXPIRY_INTERVAL, 3600)])
    assert ack.session_present
    got = []
    deadline = time.monotonic() + 10
    while len(got) < 8 and time.monotonic() < deadline:
        packet = offline.recv()
        if packet.type == raw.PUBREL:
            offline.send(raw.ack(raw.PUBCOMP, raw.parse_ack(packet)[0], version=raw.MQTT5))
            continue
        p = raw.parse_publish(packet, raw.MQTT5)
        got.append(p)
        if p.qos == 1:
            offline.send(raw.ack(raw.PUBACK, p.packet_id, version=raw.MQTT5))
        elif p.qos == 2:
            offline.send(raw.ack(raw.PUBREC, p.packet_id, version=raw.MQTT5))
    assert [p.payload for p in got] == [b'{"t":21.5}', b"b1", b"b2", b"q1", b"kept", b"gone", b"", b"c"]
    first = got[0]
    assert first.topic == "fx/a"
    assert first.props[raw.CONTENT_TYPE] == "application/json"
    assert first.props[raw.USER_PROPERTY] == [("site", "north"), ("site", "south")]
    assert first.props[raw.CORRELATION_DATA] == b"\x00corr\xff"
    offline.close()

    # The QoS 2 exchange left at PUBREC resumes with PUBREL; the other is resent with DUP.
    inflight = raw.RawClient(HOST, broker.port)
    assert inflight.connect("fx-inflight", version=raw.MQTT311, clean=False).session_present
    seen = [inflight.recv(), inflight.recv()]
    kinds = sorted(p.type for p in seen)
    assert kinds == [raw.PUBLISH, raw.PUBREL], seen
    publish = next(p for p in seen if p.type == raw.PUBLISH)
    assert raw.parse_publish(publish, raw.MQTT311).payload == b"b2"
    assert raw.parse_publish(publish, raw.MQTT311).dup
    inflight.close()

    retained = raw.RawClient(HOST, broker.port)
    retained.connect("fx-reader", version=raw.MQTT311)
    retained.subscribe("fx/#", 1)
    p = raw.parse_publish(retained.recv_type(raw.PUBLISH), raw.MQTT311)
    assert (p.topic, p.payload, p.retain) == ("fx/r", b"kept", True)
    retained.close()
