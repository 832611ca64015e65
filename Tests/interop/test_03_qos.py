"""QoS 1/2 flows, QoS downgrade, ordering, Receive Maximum and topic aliases."""

import threading

import pytest

import mqttraw as raw
from conftest import uid


@pytest.mark.parametrize("version", [4, 5])
@pytest.mark.parametrize("qos", [1, 2])
def test_qos_flow_acks_and_order(broker, peers, version, qos):
    topic = f"qos/{uid('t')}"
    sub = peers.connected(broker, version=version)
    sub.subscribe(topic, qos=qos)
    pub = peers.connected(broker, version=version)
    infos = [pub.publish(topic, f"m{i}".encode(), qos=qos, wait=False) for i in range(20)]
    for info in infos:
        info.wait_for_publish(10)
    # on_publish fires only once PUBACK (QoS 1) / PUBCOMP (QoS 2) is received
    assert all(info.is_published() for info in infos)
    msgs = sub.wait_messages(20)
    assert [m.payload for m in msgs] == [f"m{i}".encode() for i in range(20)]
    assert {m.qos for m in msgs} == {qos}


@pytest.mark.parametrize("sub_qos,pub_qos,expected", [(0, 2, 0), (1, 2, 1), (0, 1, 0), (2, 1, 1), (2, 0, 0)])
def test_qos_downgraded_to_subscription(broker, peers, sub_qos, pub_qos, expected):
    topic = f"down/{uid('t')}"
    sub = peers.connected(broker)
    sub.subscribe(topic, qos=sub_qos)
    peers.connected(broker).publish(topic, b"x", qos=pub_qos)
    assert [m.qos for m in sub.wait_messages(1)] == [expected]


def test_order_preserved_per_publisher(broker, peers):
    topic = f"order/{uid('t')}"
    sub = peers.connected(broker)
    sub.subscribe(topic, qos=1)
    publishers = {name: peers.connected(broker) for name in ("a", "b")}

    def run(name, client):
        infos = [client.publish(topic, f"{name}:{i}".encode(), qos=1, wait=False) for i in range(20)]
        for info in infos:
            info.wait_for_publish(10)

    threads = [threading.Thread(target=run, args=item) for item in publishers.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    msgs = sub.wait_messages(40)
    assert len(msgs) == 40
    for name in publishers:
        seq = [int(m.payload.split(b":")[1]) for m in msgs if m.payload.startswith(name.encode())]
        assert seq == list(range(20)), f"publisher {name} out of order: {seq}"


def test_exceeding_receive_maximum_gets_disconnect_0x93(make_broker, peers):
    broker = make_broker(limits={"receive_maximum": 3})
    c = peers.raw(broker)
    ack = c.connect(uid("rm"), version=raw.MQTT5)
    assert ack.code == 0
    assert ack.props.get(raw.RECEIVE_MAXIMUM) == 3, ack.props
    # QoS 2 PUBLISHes stay unacknowledged until we send PUBREL, which we never do
    for pid in range(1, 5):
        c.send(raw.publish("rm/t", b"x", qos=2, packet_id=pid, version=raw.MQTT5))
    got = c.wait_closed(10)
    assert [p.type for p in got[:3]] == [raw.PUBREC] * 3, got
    assert got[-1].type == raw.DISCONNECT, got
    assert raw.disconnect_reason(got[-1]) == 0x93  # Receive Maximum exceeded
    broker.assert_alive()


def test_broker_assigns_topic_alias_to_subscriber(broker, peers):
    topic = f"alias/{uid('t')}/long/topic/name"
    sub = peers.raw(broker)
    assert sub.connect(uid("asub"), version=raw.MQTT5, props=[(raw.TOPIC_ALIAS_MAXIMUM, 10)]).code == 0
    assert sub.subscribe(topic, 0, version=raw.MQTT5) == [0]
    pub = peers.connected(broker)
    pub.publish(topic, b"first", qos=1)
    pub.publish(topic, b"second", qos=1)
    first = raw.parse_publish(sub.recv_type(raw.PUBLISH), raw.MQTT5)
    second = raw.parse_publish(sub.recv_type(raw.PUBLISH), raw.MQTT5)
    assert (first.topic, first.payload) == (topic, b"first")
    alias = first.props.get(raw.TOPIC_ALIAS)
    assert alias is not None and 1 <= alias <= 10, f"first PUBLISH sets no alias: {first.props}"
    assert second.payload == b"second"
    assert second.topic == "", "second PUBLISH should carry only the alias"
    assert second.props.get(raw.TOPIC_ALIAS) == alias


def test_client_topic_alias_is_routed(broker, peers):
    topic = f"calias/{uid('t')}"
    sub = peers.connected(broker)
    sub.subscribe(topic, qos=1)
    c = peers.raw(broker)
    ack = c.connect(uid("apub"), version=raw.MQTT5)
    assert ack.code == 0
    assert ack.props.get(raw.TOPIC_ALIAS_MAXIMUM, 0) >= 1, ack.props
    c.send(raw.publish(topic, b"one", qos=1, packet_id=1, version=raw.MQTT5, props=[(raw.TOPIC_ALIAS, 1)]))
    c.send(raw.publish("", b"two", qos=1, packet_id=2, version=raw.MQTT5, props=[(raw.TOPIC_ALIAS, 1)]))
    assert raw.parse_ack(c.recv_type(raw.PUBACK)) == (1, 0)
    assert raw.parse_ack(c.recv_type(raw.PUBACK)) == (2, 0)
    msgs = sub.wait_messages(2)
    assert [(m.topic, m.payload) for m in msgs] == [(topic, b"one"), (topic, b"two")]


def test_client_topic_alias_above_maximum_gets_disconnect_0x94(make_broker, peers):
    broker = make_broker(limits={"topic_alias_maximum": 10})
    c = peers.raw(broker)
    ack = c.connect(uid("abig"), version=raw.MQTT5)
    assert ack.props.get(raw.TOPIC_ALIAS_MAXIMUM) == 10, ack.props
    c.send(raw.publish("calias/x", b"x", qos=0, version=raw.MQTT5, props=[(raw.TOPIC_ALIAS, 11)]))
    got = c.wait_closed(10)
    assert got and got[-1].type == raw.DISCONNECT, got
    assert raw.disconnect_reason(got[-1]) == 0x94  # Topic Alias invalid
    broker.assert_alive()


def test_acks_and_messages_keep_publish_order_when_only_some_need_the_log(broker, peers):
    """A QoS 1 message for a persistent session is written to the log before its PUBACK; one that reaches only
    clean sessions needs no write and could be acknowledged at once. Interleaved, the PUBACKs must still come in
    publish order [MQTT-4.6.0-2], and a retained message (logged) must not be overtaken by the next one on its
    topic."""
    durable, transient = f"order/{uid('d')}", f"order/{uid('t')}"
    keeper = peers.paho(broker, uid("keep"), clean=False)
    keeper.connect()
    keeper.subscribe(durable, qos=1)
    watcher = peers.connected(broker)
    watcher.subscribe(transient, qos=1)
    pub = peers.raw(broker)
    assert pub.connect(uid("pub")).code == 0
    burst = b""
    for pid in range(1, 41):
        topic = durable if pid % 2 else transient
        burst += raw.publish(topic, f"m{pid}", qos=1, packet_id=pid, retain=(pid % 4 == 0))
    pub.send(burst)
    acked = [raw.parse_ack(pub.recv_type(raw.PUBACK, 10))[0] for _ in range(40)]
    assert acked == list(range(1, 41))
    got = [m.payload.decode() for m in watcher.wait_messages(20)]
    assert got == [f"m{pid}" for pid in range(2, 41, 2)]
    got = [m.payload.decode() for m in keeper.wait_messages(20)]
    assert got == [f"m{pid}" for pid in range(1, 41, 2)]
