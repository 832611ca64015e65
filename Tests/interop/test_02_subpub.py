"""Publish/subscribe routing with mosquitto clients and paho, MQTT 5 message properties."""

import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes

import conftest
import mqttraw as raw
from conftest import VERSIONS, mosquitto_pub, props, uid


@VERSIONS
@pytest.mark.parametrize("qos", [0, 1, 2])
def test_mosquitto_pub_to_sub(broker, peers, version, qos):
    topic = f"sp/{uid('t')}/leaf"
    sub = peers.sub(broker, topic, version=version, qos=qos).wait_subscribed()
    payload = f"hello qos{qos} {version} ünïcode"
    mosquitto_pub(broker, topic, payload, version=version, qos=qos)
    msgs = sub.wait_messages(1)
    assert len(msgs) == 1
    assert (msgs[0].topic, msgs[0].payload, msgs[0].qos, msgs[0].retain) == (topic, payload, qos, False)


def _publish_and_collect(sub, pub, base, suffixes, sentinel):
    """Publish to base/<suffix> for each suffix, then the sentinel (which must match);
    return the topics the subscriber got once the sentinel has arrived."""
    for s in suffixes:
        pub.publish(f"{base}/{s}", s.encode(), qos=1)
    pub.publish(f"{base}/{sentinel}", b"end", qos=1)
    last = f"{base}/{sentinel}"
    assert any(m.topic == last for m in sub.wait_for(lambda ms: any(m.topic == last for m in ms)))
    return sorted(m.topic for m in sub.received(settle=0.3))


def test_single_level_wildcard(broker, peers):
    base = f"wc/{uid('b')}"
    sub = peers.connected(broker)
    sub.subscribe(f"{base}/+/temp", qos=1)
    pub = peers.connected(broker)
    got = _publish_and_collect(sub, pub, base, ["a/temp", "b/temp", "a/b/temp", "a/hum", "temp"],
                               sentinel="z/temp")
    assert got == sorted(f"{base}/{s}" for s in ["a/temp", "b/temp", "z/temp"])


def test_multi_level_wildcard(broker, peers):
    base = f"wc/{uid('b')}"
    sub = peers.connected(broker)
    sub.subscribe(f"{base}/x/#", qos=1)
    pub = peers.connected(broker)
    got = _publish_and_collect(sub, pub, base, ["x", "x/1", "x/1/2/3", "y/1", "xx"], sentinel="x/end")
    # "base/x/#" also matches the parent "base/x"
    assert got == sorted(f"{base}/{s}" for s in ["x", "x/1", "x/1/2/3", "x/end"])


def test_sys_topics_not_matched_by_hash(broker, peers):
    everything = peers.connected(broker)
    everything.subscribe("#", qos=0)
    sys_sub = peers.connected(broker)
    sys_sub.subscribe("$SYS/#", qos=0)
    assert sys_sub.wait_messages(1, timeout=15), "no $SYS messages published (sys.interval is 1)"
    topic = f"plain/{uid('t')}"
    peers.connected(broker).publish(topic, b"x", qos=1)
    got = everything.wait_messages(1)
    topics = [m.topic for m in everything.received(settle=1.5)]  # one more $SYS interval
    assert topic in topics
    assert not [t for t in topics if t.startswith("$")], topics


def test_shared_subscription_delivers_each_message_once(broker, peers):
    topic = f"shared/{uid('t')}"
    members = [peers.connected(broker) for _ in range(2)]
    for m in members:
        m.subscribe(f"$share/g/{topic}", qos=1)
    pub = peers.connected(broker)
    for i in range(20):
        pub.publish(topic, str(i).encode(), qos=1)

    def total():
        return sum(len(m.received()) for m in members)

    conftest.wait_until(lambda: total() >= 20, timeout=10)
    time.sleep(0.5)  # duplicates would show up now
    per_member = [[int(x.payload) for x in m.received()] for m in members]
    everything = sorted(per_member[0] + per_member[1])
    assert everything == list(range(20)), per_member
    assert per_member[0] and per_member[1], f"one member got nothing: {per_member}"


def test_no_local(broker, peers):
    topic = f"nolocal/{uid('t')}"
    me = peers.connected(broker)
    me.subscribe(topic, options=mqtt.SubscribeOptions(qos=1, noLocal=True))
    other = peers.connected(broker)
    other.subscribe(topic, qos=1)
    me.publish(topic, b"own", qos=1)
    assert [m.payload for m in other.wait_messages(1)] == [b"own"]
    other.publish(topic, b"other", qos=1)
    assert me.wait_messages(1)
    assert [m.payload for m in me.received(settle=0.3)] == [b"other"]


def test_retain_as_published(broker, peers):
    topic = f"rap/{uid('t')}"
    keep = peers.connected(broker)
    keep.subscribe(topic, options=mqtt.SubscribeOptions(qos=1, retainAsPublished=True))
    clear = peers.connected(broker)
    clear.subscribe(topic, options=mqtt.SubscribeOptions(qos=1, retainAsPublished=False))
    peers.connected(broker).publish(topic, b"r", qos=1, retain=True)
    assert [m.retain for m in keep.wait_messages(1)] == [True]
    assert [m.retain for m in clear.wait_messages(1)] == [False]


def test_request_response_properties_round_trip(broker, peers):
    req_topic, resp_topic = f"rpc/{uid('req')}", f"rpc/{uid('resp')}"
    responder = peers.connected(broker)
    responder.subscribe(req_topic, qos=1)
    requester = peers.connected(broker)
    requester.subscribe(resp_topic, qos=1)

    p = props(ResponseTopic=resp_topic, CorrelationData=b"\x00corr-42\xff",
              ContentType="application/json", UserProperty=[("k1", "v1"), ("k2", "v2"), ("k1", "v3")],
              PayloadFormatIndicator=1)
    requester.publish(req_topic, b'{"q": 1}', qos=1, properties=p)

    req = responder.wait_messages(1)[0]
    rp = req.properties
    assert req.payload == b'{"q": 1}'
    assert rp.ResponseTopic == resp_topic
    assert rp.CorrelationData == b"\x00corr-42\xff"
    assert rp.ContentType == "application/json"
    assert rp.PayloadFormatIndicator == 1
    assert rp.UserProperty == [("k1", "v1"), ("k2", "v2"), ("k1", "v3")]  # order preserved

    responder.publish(rp.ResponseTopic, b'{"a": 2}', qos=1,
                      properties=props(CorrelationData=rp.CorrelationData))
    resp = requester.wait_messages(1)[0]
    assert resp.topic == resp_topic and resp.payload == b'{"a": 2}'
    assert resp.properties.CorrelationData == b"\x00corr-42\xff"


def test_message_expiry_for_offline_session(broker, peers):
    cid, topic = uid("exp"), f"expiry/{uid('t')}"
    session = props(PacketTypes.CONNECT, SessionExpiryInterval=300)
    sub = peers.paho(broker, cid, clean=False)
    sub.connect(properties=session)
    sub.subscribe(topic, qos=1)
    sub.disconnect()

    pub = peers.connected(broker)
    pub.publish(topic, b"short", qos=1, properties=props(MessageExpiryInterval=2))
    pub.publish(topic, b"long", qos=1, properties=props(MessageExpiryInterval=10))
    time.sleep(3.2)

    again = peers.paho(broker, cid, clean=False)
    reason, session_present, _ = again.connect(properties=session)
    assert session_present
    assert again.wait_messages(1)
    msgs = again.received(settle=0.5)
    assert [m.payload for m in msgs] == [b"long"]
    remaining = msgs[0].properties.MessageExpiryInterval
    # 10 s minus the >= 3.2 s spent offline: must have been reduced, and not expired
    assert 0 < remaining <= 8, remaining


def test_subscriber_maximum_packet_size(broker, peers):
    topic = f"mps/{uid('t')}"
    small_client = peers.paho(broker)
    small_client.connect(properties=props(PacketTypes.CONNECT, MaximumPacketSize=200))
    small_client.subscribe(topic, qos=1)
    pub = peers.connected(broker)
    pub.publish(topic, b"L" * 1000, qos=1)
    pub.publish(topic, b"small", qos=1)
    assert small_client.wait_messages(1)
    assert [m.payload for m in small_client.received(settle=0.5)] == [b"small"]
    # the oversized message was dropped for this client only, not the connection
    assert small_client.disconnect_reason is None


def test_publish_over_max_packet_size_gets_disconnect_0x95(make_broker, peers):
    broker = make_broker(limits={"max_packet_size": 1024})
    c = peers.raw(broker)
    assert c.connect(uid("big"), version=raw.MQTT5).code == 0
    c.send(raw.publish("big/topic", b"B" * 2000, qos=0, version=raw.MQTT5))
    got = c.wait_closed(10)
    assert got and got[-1].type == raw.DISCONNECT, got
    assert raw.disconnect_reason(got[-1]) == 0x95
    broker.assert_alive()
