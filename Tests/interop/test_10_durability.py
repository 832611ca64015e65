"""kill -9 under QoS 1/2 load: every acknowledged message survives, no QoS 2 message arrives twice.

Publishers keep persistent sessions and behave like real clients after a broker crash: they
reconnect, resend unacknowledged PUBLISHes with DUP and resend PUBREL for exchanges that got PUBREC.
A persistent subscriber is offline the whole time, so everything queues in the broker's log, and
drains at the end.
"""
import random
import threading
import time

import pytest

import mqttraw as raw
from conftest import IS_MOSQUITTO, uid
from mqtt_durability import SESSION_EXPIRY, V5, Publisher, drain

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto runs without persistence in this suite")

ROUNDS = 10
PUBLISHERS = 4


def test_kill9_under_qos12_load_loses_no_acknowledged_message(make_broker):
    broker = make_broker(limits={"max_queued_messages": 1_000_000, "max_inflight": 100})
    sub_id = uid("drain")
    # The persistent subscriber exists before any publish, then stays offline.
    s = raw.RawClient(broker.host, broker.port)
    assert s.connect(sub_id, version=V5, clean=False, props=SESSION_EXPIRY).code == 0
    assert s.subscribe("kill/#", 2, version=V5) == [2]
    s.send(raw.disconnect(version=V5))
    s.close()
    r = raw.RawClient(broker.host, broker.port)
    assert r.connect(uid("ret"), version=V5).code == 0
    r.send(raw.publish("state/retained", b"keep-me", qos=1, retain=True, packet_id=1, version=V5))
    assert r.recv().type == raw.PUBACK
    r.close()

    rng = random.Random(20261124)
    publishers = [Publisher(broker, uid(f"pub{i}")) for i in range(PUBLISHERS)]
    for round_no in range(ROUNDS):
        threads = [threading.Thread(target=p.run_in_thread, daemon=True) for p in publishers]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.2))
        broker.kill9()
        for t in threads:
            t.join(timeout=15)
            assert not t.is_alive(), "publisher thread hung after the kill"
        for p in publishers:
            p.raise_failure()
        broker.start()

    for p in publishers:
        p.settle()
    acked = [payload for p in publishers for _, payload in p.acked]
    qos2_acked = {payload for p in publishers for q, payload in p.acked if q == 2}
    assert len(acked) > 200, f"too little load to mean anything: {len(acked)} acknowledged"
    print(f"{len(acked)} acknowledged ({len(qos2_acked)} QoS 2) across {ROUNDS} kill -9 rounds")

    # One more crash with everything acknowledged and still queued.
    broker.kill9()
    broker.start()
    got = drain(broker, sub_id, expected=len(acked))
    payloads = [m.payload for m in got]
    missing = set(acked) - set(payloads)
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:5]}"
    seen_twice = {m.payload for m in got if m.qos == 2 and payloads.count(m.payload) > 1}
    assert not seen_twice, f"QoS 2 messages delivered twice: {sorted(seen_twice)[:5]}"
    assert not (qos2_acked - {m.payload for m in got if m.qos == 2}), "QoS 2 messages arrived at the wrong QoS"

    # Retained messages and the session itself survived every crash.
    c = raw.RawClient(broker.host, broker.port)
    assert c.connect(uid("late"), version=V5).code == 0
    assert c.subscribe("state/#", 1, version=V5) == [1]
    m = raw.parse_publish(c.recv_type(raw.PUBLISH), V5)
    assert (m.topic, m.payload, m.retain) == ("state/retained", b"keep-me", True)
    c.close()
