"""Persistent sessions, clean start, session expiry, subscription identifiers."""

import time

import pytest
from paho.mqtt.packettypes import PacketTypes

from conftest import VERSIONS, mosquitto_pub, props, uid


@VERSIONS
def test_offline_messages_delivered_on_reconnect(broker, peers, version):
    cid, topic = uid("persist"), f"sess/{uid('t')}"
    extra = ["-c", "-i", cid] + (["-x", "300"] if version == "mqttv5" else [])
    first = peers.sub(broker, topic, version=version, qos=1, extra=extra).wait_subscribed()
    first.kill()  # SIGKILL; with -c (and -x) the session outlives the connection

    for i in range(3):
        mosquitto_pub(broker, topic, f"offline-{i}", version=version, qos=1)

    second = peers.sub(broker, topic, version=version, qos=1, extra=extra)
    msgs = second.wait_messages(3)
    assert [(m.topic, m.payload, m.qos) for m in msgs] == [(topic, f"offline-{i}", 1) for i in range(3)]


def persistent_paho(broker, peers, cid, version, *, clean=False, expiry=300):
    c = peers.paho(broker, cid, version=version, clean=clean)
    session = props(PacketTypes.CONNECT, SessionExpiryInterval=expiry) if version == 5 else None
    c.connect(properties=session)
    return c


@pytest.mark.parametrize("version", [4, 5])
def test_clean_start_discards_session(broker, peers, version):
    cid, topic = uid("discard"), f"sess/{uid('t')}"
    first = persistent_paho(broker, peers, cid, version)
    first.subscribe(topic, qos=1)
    first.disconnect()
    peers.connected(broker).publish(topic, b"queued", qos=1)

    again = persistent_paho(broker, peers, cid, version, clean=True)
    assert again.connack[1] is False, "session present after clean start"
    assert again.received(settle=1.0) == [], "queued message delivered after clean start"
    # and the old subscription is gone too
    peers.connected(broker).publish(topic, b"after", qos=1)
    assert again.received(settle=0.5) == []


def test_session_expiry_interval(broker, peers):
    cid, topic = uid("expire"), f"sess/{uid('t')}"
    first = persistent_paho(broker, peers, cid, 5, expiry=2)
    first.subscribe(topic, qos=1)
    first.disconnect()
    peers.connected(broker).publish(topic, b"queued", qos=1)
    time.sleep(3.0)
    again = persistent_paho(broker, peers, cid, 5, expiry=2)
    assert again.connack[1] is False, "session still present after its expiry interval"
    assert again.received(settle=0.5) == []


def test_session_survives_within_expiry_interval(broker, peers):
    cid, topic = uid("keep"), f"sess/{uid('t')}"
    first = persistent_paho(broker, peers, cid, 5, expiry=30)
    first.subscribe(topic, qos=1)
    first.disconnect()
    peers.connected(broker).publish(topic, b"queued", qos=1)
    again = persistent_paho(broker, peers, cid, 5, expiry=30)
    assert again.connack[1] is True
    assert [m.payload for m in again.wait_messages(1)] == [b"queued"]


def test_overlapping_subscription_identifiers_one_copy(broker, peers):
    base = f"subid/{uid('b')}"
    c = peers.connected(broker)
    c.subscribe(f"{base}/a/+", qos=1, properties=props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=1))
    c.subscribe(f"{base}/a/#", qos=1, properties=props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=2))
    peers.connected(broker).publish(f"{base}/a/b", b"once", qos=1)
    assert c.wait_messages(1)
    msgs = c.received(settle=0.7)
    assert len(msgs) == 1, f"expected one copy, got {[(m.topic, m.properties) for m in msgs]}"
    assert sorted(msgs[0].properties.SubscriptionIdentifier) == [1, 2]
