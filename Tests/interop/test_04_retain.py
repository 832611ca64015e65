"""Retained messages: delivery to new subscribers, clearing, Retain Handling."""

import paho.mqtt.client as mqtt
import pytest

from conftest import VERSIONS, mosquitto_pub, uid


@VERSIONS
def test_retained_delivered_to_new_subscriber_and_cleared(broker, peers, version):
    topic = f"ret/{uid('t')}"
    mosquitto_pub(broker, topic, "kept", version=version, qos=1, retain=True)

    late = peers.sub(broker, topic, version=version, qos=1).wait_subscribed()
    msgs = late.wait_messages(1)
    assert [(m.topic, m.payload, m.retain) for m in msgs] == [(topic, "kept", True)]

    mosquitto_pub(broker, topic, None, version=version, qos=1, retain=True)  # empty => clear
    later = peers.sub(broker, topic, version=version, qos=1).wait_subscribed()
    mosquitto_pub(broker, topic, "live", version=version, qos=1)
    msgs = later.wait_messages(1)
    assert [(m.payload, m.retain) for m in msgs] == [("live", False)], "retained message not cleared"
    # the empty retained publish itself is delivered to existing subscribers as a normal message
    assert [m.payload for m in late.wait_messages(3)] == ["kept", "", "live"]


@pytest.mark.parametrize("handling,expected_retained", [(0, 2), (1, 1), (2, 0)])
def test_retain_handling(broker, peers, handling, expected_retained):
    topic = f"rh/{uid('t')}"
    peers.connected(broker).publish(topic, b"retained", qos=1, retain=True)
    sub = peers.connected(broker)
    options = mqtt.SubscribeOptions(qos=1, retainHandling=handling)
    sub.subscribe(topic, options=options)
    sub.subscribe(topic, options=options)  # same filter again: not a new subscription
    peers.connected(broker).publish(topic, b"sentinel", qos=1)
    sub.wait_for(lambda ms: any(m.payload == b"sentinel" for m in ms))
    msgs = sub.received(settle=0.3)
    assert [m.payload for m in msgs] == [b"retained"] * expected_retained + [b"sentinel"]
    assert all(m.retain for m in msgs[:-1])
