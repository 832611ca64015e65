"""Last Will: abrupt disconnects, clean DISCONNECT, Will Delay Interval."""

import time

import pytest

import mqttraw as raw
from conftest import VERSIONS, uid

RAW_VERSIONS = pytest.mark.parametrize("version", [raw.MQTT311, raw.MQTT5])


def watch(broker, peers, topic):
    w = peers.connected(broker)
    w.subscribe(topic, qos=1)
    return w


@VERSIONS
def test_will_published_when_mosquitto_sub_killed(broker, peers, version):
    will_topic = f"will/{uid('t')}"
    watcher = watch(broker, peers, will_topic)
    victim = peers.sub(broker, f"idle/{uid('t')}", version=version, extra=[
        "-i", uid("victim"), "--will-topic", will_topic, "--will-payload", "gone", "--will-qos", "1"])
    victim.wait_subscribed()
    victim.kill()  # SIGKILL: no DISCONNECT is sent
    msgs = watcher.wait_messages(1)
    assert [(m.topic, m.payload) for m in msgs] == [(will_topic, b"gone")]


@RAW_VERSIONS
def test_will_published_when_socket_dropped(broker, peers, version):
    will_topic = f"will/{uid('t')}"
    watcher = watch(broker, peers, will_topic)
    c = peers.raw(broker)
    assert c.connect(uid("drop"), version=version, will_topic=will_topic, will_payload=b"dropped",
                     will_qos=1).code == 0
    c.close()
    assert [m.payload for m in watcher.wait_messages(1)] == [b"dropped"]


@RAW_VERSIONS
def test_will_not_published_on_normal_disconnect(broker, peers, version):
    will_topic = f"will/{uid('t')}"
    watcher = watch(broker, peers, will_topic)
    c = peers.raw(broker)
    assert c.connect(uid("clean"), version=version, will_topic=will_topic, will_payload=b"will",
                     will_qos=1).code == 0
    c.send(raw.disconnect(version=version))
    c.wait_closed(10)
    peers.connected(broker).publish(will_topic, b"sentinel", qos=1)
    watcher.wait_for(lambda ms: any(m.payload == b"sentinel" for m in ms))
    assert [m.payload for m in watcher.received(settle=0.5)] == [b"sentinel"]


def connect_with_delayed_will(c, client_id, will_topic, delay):
    # Session Expiry must outlast the delay, otherwise the will goes out when the session ends.
    return c.connect(client_id, version=raw.MQTT5, clean=False, will_topic=will_topic,
                     will_payload=b"late", will_qos=1, will_props=[(raw.WILL_DELAY_INTERVAL, delay)],
                     props=[(raw.SESSION_EXPIRY_INTERVAL, 60)])


def test_will_delay_interval_honoured(broker, peers):
    will_topic = f"will/{uid('t')}"
    watcher = watch(broker, peers, will_topic)
    c = peers.raw(broker)
    assert connect_with_delayed_will(c, uid("delay"), will_topic, 2).code == 0
    # Taken before the close, so the broker cannot have seen the drop earlier: a will that arrives
    # less than 2 s after this was sent early. (0.05 s of slack for clock reads, no more.)
    dropped_at = time.monotonic()
    c.close()
    msgs = watcher.wait_messages(1, timeout=30)
    assert [m.payload for m in msgs] == [b"late"]
    delay = msgs[0].at - dropped_at
    # Upper bound generous for a loaded machine; the lower one is what the spec promises.
    assert 1.95 <= delay <= 12.0, f"will arrived {delay:.2f}s after the drop (delay interval 2s)"


def test_delayed_will_cancelled_by_reconnect(broker, peers):
    will_topic, cid = f"will/{uid('t')}", uid("back")
    watcher = watch(broker, peers, will_topic)
    c = peers.raw(broker)
    assert connect_with_delayed_will(c, cid, will_topic, 3).code == 0
    c.close()
    time.sleep(0.5)
    again = peers.raw(broker)
    ack = again.connect(cid, version=raw.MQTT5, clean=False, props=[(raw.SESSION_EXPIRY_INTERVAL, 60)])
    assert ack.code == 0 and ack.session_present
    time.sleep(4.5)  # well past the 3 s delay
    assert watcher.received() == [], "will published although the client came back within the delay"
