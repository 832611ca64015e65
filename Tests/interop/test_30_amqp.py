"""AMQP 1.0 served by Pier, driven by python-qpid-proton's blocking client: queues, topics, dynamic
reply-to nodes, anonymous relay, selectors, browsing and durable subscriptions. The connection level
(SASL, TLS, bad input, heartbeats, transactions, kill -9, the C examples) is in test_35, messages
crossing to MQTT, STOMP and JMS in test_36."""

from __future__ import annotations

import time

import paho.mqtt.client as mqtt
import pytest
from proton import Link, Message, byte, symbol
from proton.reactor import AtMostOnce, Copy, Selector
from proton.utils import BlockingConnection, LinkDetached, SendException

from amqp_support import DurableSource, NoLocal, NullSource, TemporaryTopic, connect, start_amqp
from conftest import HOST, IS_MOSQUITTO, uid

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto has no AMQP listener")


@pytest.fixture
def amqp(make_broker):
    return start_amqp(make_broker)


# --------------------------------------------------------------------------- queues

def test_send_and_receive_on_a_durable_queue_keeps_header_properties_and_body(amqp):
    q = uid("amqp.q")
    c = connect(amqp)
    s = c.create_sender(f"queue://{q}")
    for i in range(5):
        s.send(Message(body=f"hello {i}", durable=True, priority=7, ttl=60, subject="greeting", id=f"m-{i}",
                       correlation_id=f"c-{i}", content_type="text/plain", properties={"n": i, "colour": "red"}))
    # A plain name is the same queue (ActiveMQ's rule).
    r = c.create_receiver(q, credit=10)
    for i in range(5):
        m = r.receive(timeout=10)
        r.accept()
        assert m.body == f"hello {i}"
        assert (m.durable, m.priority, m.subject, m.id, m.correlation_id) == (True, 7, "greeting", f"m-{i}", f"c-{i}")
        assert m.content_type == "text/plain"
        assert m.properties == {"n": i, "colour": "red"}
        assert 0 < m.ttl <= 60
        assert m.annotations["x-opt-jms-dest"] == 0 and m.annotations["x-opt-jms-msg-type"] == 5
    c.close()


def test_pre_settled_sends_and_receives(amqp):
    q = uid("amqp.presettled")
    c = connect(amqp)
    s = c.create_sender(q, options=AtMostOnce())
    assert s.link.remote_snd_settle_mode == Link.SND_SETTLED
    for i in range(3):
        s.send(Message(body=f"fire-{i}"))
    r = c.create_receiver(q, options=AtMostOnce(), credit=10)
    assert [r.receive(timeout=10).body for _ in range(3)] == ["fire-0", "fire-1", "fire-2"]
    r.close()
    # At-most-once: nothing is waiting for an outcome, so nothing comes back.
    again = c.create_receiver(q, name="again")
    with pytest.raises(Exception):
        again.receive(timeout=0.5)
    c.close()


def test_large_messages_cross_in_many_frames_both_ways(amqp):
    q = uid("amqp.big")
    body = bytes(range(256)) * 8192  # 2 MiB: more than Pier's 1 MiB frames one way and the client's 64 KiB the other
    c = BlockingConnection(amqp.url, timeout=20, max_frame_size=65536)
    c.create_sender(q).send(Message(body=body, durable=True))
    r = c.create_receiver(q)
    m = r.receive(timeout=20)
    r.accept()
    assert m.body == body
    c.close()


def test_released_messages_come_back_and_rejected_ones_are_dead_lettered(amqp):
    q = uid("amqp.out")
    c = connect(amqp)
    s = c.create_sender(q)
    s.send(Message(body="again"))
    s.send(Message(body="poison"))
    r = c.create_receiver(q, credit=10)
    assert [r.receive(timeout=10).body for _ in range(2)] == ["again", "poison"]
    r.release(delivered=False)  # released: back in its place, not counted as a failed delivery
    r.reject()                  # rejected: dead-lettered at once
    m = r.receive(timeout=10)
    assert (m.body, m.delivery_count) == ("again", 0)
    d = r.fetcher.unsettled.popleft()  # modified with delivery-failed: counted (the blocking API cannot set it)
    d.local.failed = True
    d.update(d.MODIFIED)
    d.settle()
    m = r.receive(timeout=10)
    assert (m.body, m.delivery_count) == ("again", 1)
    r.accept()
    dlq = c.create_receiver("ActiveMQ.DLQ", credit=10)
    dead = dlq.receive(timeout=10)
    dlq.accept()
    assert dead.body == "poison"
    c.close()


def test_request_response_with_a_dynamic_reply_queue_and_an_anonymous_relay_server(amqp):
    requests = uid("amqp.requests")
    server = connect(amqp)
    incoming = server.create_receiver(requests)
    relay = server.create_sender(None)  # anonymous relay: each reply goes where its `to` says
    client = connect(amqp)
    replies = client.create_receiver(None, dynamic=True)
    reply_to = replies.link.remote_source.address
    assert reply_to, "the server names the dynamic node"
    client.create_sender(requests).send(Message(body="ping", reply_to=reply_to, correlation_id="r-1"))
    request = incoming.receive(timeout=10)
    incoming.accept()
    assert request.reply_to == reply_to
    relay.send(Message(address=request.reply_to, body=request.body.upper(), correlation_id=request.correlation_id))
    reply = replies.receive(timeout=10)
    replies.accept()
    assert (reply.body, reply.correlation_id) == ("PING", "r-1")
    # The dynamic node lives as long as its link: afterwards a reply to it is refused.
    replies.close()
    with pytest.raises(SendException):
        relay.send(Message(address=reply_to, body="late"))
    client.close()
    server.close()


def test_a_dynamic_temporary_topic_receives_what_is_published_to_it(amqp):
    c = connect(amqp)
    r = c.create_receiver(None, dynamic=True, options=TemporaryTopic())
    address = r.link.remote_source.address
    assert address.startswith("topic://"), address
    other = connect(amqp)
    s = other.create_sender(address)
    s.send(Message(body="to the temporary topic"))
    assert r.receive(timeout=10).body == "to the temporary topic"
    r.accept()
    c.close()
    with pytest.raises(SendException):
        s.send(Message(body="after its connection closed"))
    other.close()


def test_anonymous_relay_routes_to_queues_and_topics_and_refuses_a_message_without_to(amqp):
    q, topic = uid("amqp.relayq"), uid("relay/t")
    got = []
    m = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=uid("m"), protocol=mqtt.MQTTv5)
    m.on_message = lambda _c, _u, msg: got.append(msg.payload)
    m.connect(HOST, amqp.port)
    m.loop_start()
    m.subscribe(topic, qos=1)
    time.sleep(0.3)
    c = connect(amqp)
    assert "ANONYMOUS-RELAY" in (c.conn.remote_offered_capabilities or [])
    relay = c.create_sender(None)
    relay.send(Message(address=f"queue://{q}", body="to the queue"))
    relay.send(Message(address="topic://" + topic.replace("/", "."), body="to the topic"))
    # qpid-jms names a topic bare and says what it is in the x-opt-jms-dest annotation.
    relay.send(Message(address=topic.replace("/", "."), body="to the topic, JMS style",
                       annotations={symbol("x-opt-jms-dest"): byte(1)}))
    with pytest.raises(SendException):
        relay.send(Message(body="nowhere"))
    with pytest.raises(SendException):
        relay.send(Message(address="topic://a.*", body="a wildcard is not a topic name"))
    r = c.create_receiver(q)
    assert r.receive(timeout=10).body == "to the queue"
    r.accept()
    deadline = time.time() + 10
    while len(got) < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert got == [b"to the topic", b"to the topic, JMS style"]
    m.loop_stop()
    m.disconnect()
    c.close()


def test_a_selected_receiver_takes_only_matching_messages(amqp):
    q = uid("amqp.sel")
    c = connect(amqp)
    s = c.create_sender(q)
    for i, colour in enumerate(["red", "blue", "red", "blue"]):
        s.send(Message(body=f"{colour}-{i}", properties={"colour": colour}))
    red = c.create_receiver(q, options=Selector("colour = 'red'"), credit=10)
    assert [red.receive(timeout=10).body for _ in range(2)] == ["red-0", "red-2"]
    red.accept()
    with pytest.raises(Exception):
        red.receive(timeout=0.5)
    rest = c.create_receiver(q, name="rest", credit=10)
    assert [rest.receive(timeout=10).body for _ in range(2)] == ["blue-1", "blue-3"]
    rest.accept()
    c.close()


def test_a_copy_receiver_browses_a_queue_without_consuming_it(amqp):
    q = uid("amqp.browse")
    c = connect(amqp)
    s = c.create_sender(q)
    for i in range(3):
        s.send(Message(body=f"b{i}"))
    browser = c.create_receiver(q, options=Copy(), credit=10)
    assert [browser.receive(timeout=10).body for _ in range(3)] == ["b0", "b1", "b2"]
    browser.close()
    consumer = c.create_receiver(q, name="consumer", credit=10)
    assert [consumer.receive(timeout=10).body for _ in range(3)] == ["b0", "b1", "b2"], "browsing took nothing away"
    consumer.accept()
    c.close()


# --------------------------------------------------------------------------- topics and durable subscriptions

def test_a_durable_subscription_survives_reconnect_and_a_closing_detach_removes_it(amqp):
    container, topic = uid("amqp-dur"), "topic://" + uid("news.x")
    c = connect(amqp, container)
    sub = c.create_receiver(topic, name="sub1", options=DurableSource(), credit=10)
    publisher = connect(amqp)
    p = publisher.create_sender(topic)
    p.send(Message(body="while online", durable=True))
    assert sub.receive(timeout=10).body == "while online"
    sub.accept()
    sub.link.detach()  # detach without closing: the subscription stays
    c.close()
    for i in range(3):
        p.send(Message(body=f"offline {i}", durable=True))
    # Link recovery: a null source finds the subscription by container id and link name.
    c = connect(amqp, container)
    sub = c.create_receiver(None, name="sub1", options=NullSource(), credit=10)
    assert sub.link.remote_source.address == topic
    assert [sub.receive(timeout=10).body for _ in range(3)] == ["offline 0", "offline 1", "offline 2"]
    sub.accept()
    sub.close()  # closed=true: the subscription is removed
    c.close()
    c = connect(amqp, container)
    with pytest.raises(LinkDetached) as refused:
        c.create_receiver(None, name="sub1", options=NullSource())
    assert "amqp:not-found" in str(refused.value)
    c.close()
    publisher.close()


def test_no_local_and_topic_wildcards(amqp):
    container = uid("amqp-nl")
    c = connect(amqp, container)
    base = uid("wild")
    mine = c.create_receiver(f"topic://{base}.*", options=NoLocal(), credit=10)
    c.create_sender(f"topic://{base}.a").send(Message(body="from myself"))
    other = connect(amqp)
    other.create_sender(f"topic://{base}.b").send(Message(body="from another"))
    m = mine.receive(timeout=10)
    mine.accept()
    assert (m.body, m.address) == ("from another", f"topic://{base}.b")
    c.close()
    other.close()
