"""AMQP 1.0 served by Pier, driven by python-qpid-proton's blocking client and Debian's qpid-proton C
examples: queues, topics, dynamic reply-to nodes, anonymous relay, selectors, browsing, durable
subscriptions, SASL against the password file, bad input, kill -9 durability, and messages crossing
between AMQP, MQTT, STOMP and JMS with their properties."""

from __future__ import annotations

import subprocess
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from proton import ConnectionException, Link, Message, byte, symbol
from proton.reactor import AtMostOnce, Container, Copy, Selector
from proton.utils import BlockingConnection, LinkDetached, SendException

from amqp_support import (AMQP_HEADER, OPEN, PROTON_RECEIVE, PROTON_SEND, SASL_HEADER, DurableSource, NoLocal, NullSource,
                          TemporaryTopic, TxClient, frame, raw_frames, run_tx, start_amqp)
from conftest import HOST, IS_MOSQUITTO, free_port, uid
from jms_support import java, jms_classes  # noqa: F401 (jms_classes is a fixture)
from stomp_support import StompTarget, open_connection

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto has no AMQP listener")


@pytest.fixture
def amqp(make_broker):
    return start_amqp(make_broker)


def connect(b, container_id: str | None = None, **kwargs) -> BlockingConnection:
    container = Container()
    if container_id:
        container.container_id = container_id
    return BlockingConnection(b.url, timeout=10, container=container, **kwargs)


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


# --------------------------------------------------------------------------- connection level

def test_sasl_plain_checks_the_password_file(make_broker, tmp_path):
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "alice-pw"], check=True)
    acl = tmp_path / "acl"
    acl.write_text("user alice\nqueue readwrite amqp.>\n")
    b = start_amqp(make_broker, allow_anonymous=False, password_file=str(passwd), acl_file=str(acl))
    q = "amqp." + uid("sasl")
    good = BlockingConnection(b.url, timeout=10, user="alice", password="alice-pw", allowed_mechs="PLAIN")
    good.create_sender(q).send(Message(body="authenticated"))
    # The ACL decides each link and each relayed message.
    with pytest.raises(LinkDetached) as refused:
        good.create_sender("payroll")
    assert "amqp:unauthorized-access" in str(refused.value)
    relay = good.create_sender(None)
    with pytest.raises(SendException):
        relay.send(Message(address="payroll", body="no"))
    relay.send(Message(address=q, body="yes"))
    good.close()
    with pytest.raises(ConnectionException):
        BlockingConnection(b.url, timeout=10, user="alice", password="wrong", allowed_mechs="PLAIN").create_sender(q)
    with pytest.raises(ConnectionException):
        BlockingConnection(b.url, timeout=10, allowed_mechs="ANONYMOUS").create_sender(q)
    # Without SASL at all, the AMQP header is answered with an open and a close naming the refusal.
    reply = raw_frames(b.amqp_port, AMQP_HEADER + frame(OPEN))
    assert reply.startswith(AMQP_HEADER) and b"amqp:unauthorized-access" in reply


def test_sasl_mechanisms_offered_follow_allow_anonymous(make_broker):
    b = start_amqp(make_broker)
    reply = raw_frames(b.amqp_port, SASL_HEADER, timeout=1.0)
    assert reply.startswith(SASL_HEADER) and b"PLAIN" in reply and b"ANONYMOUS" in reply


@pytest.mark.parametrize("bad,condition", [
    # begin whose list holds the unknown format code 0xff
    (frame(b"\x00\x53\x11\xc0\x02\x01\xff"), b"amqp:decode-error"),
    # a performative descriptor Pier does not know
    (frame(b"\x00\x53\x7f\x45"), b"amqp:decode-error"),
    # a frame size below the 8-byte header
    (b"\x00\x00\x00\x04\x02\x00\x00\x00", b"amqp:connection:framing-error"),
], ids=["bad-type", "unknown-performative", "short-frame"])
def test_bad_input_closes_with_an_error_and_the_broker_lives_on(amqp, bad, condition):
    reply = raw_frames(amqp.amqp_port, AMQP_HEADER + frame(OPEN) + bad)
    assert reply.startswith(AMQP_HEADER)
    assert b"\x00\x53\x18" in reply, "a close performative is sent"
    assert condition in reply
    c = connect(amqp)
    c.create_sender(uid("amqp.alive")).send(Message(body="still serving"))
    c.close()
    amqp.assert_alive()


def test_idle_timeout_heartbeats_keep_a_quiet_connection_open(amqp):
    c = BlockingConnection(amqp.url, timeout=10, heartbeat=1)
    with pytest.raises(Exception):
        # Nothing but heartbeats for 3 s: the client would close if Pier stayed silent beyond 1 s.
        c.wait(lambda: False, timeout=3)
    q = uid("amqp.hb")
    c.create_sender(q).send(Message(body="after the quiet"))
    c.close()


def test_transactions_through_the_coordinator(amqp):
    q = uid("amqp.tx")
    assert run_tx(TxClient(amqp.url, q, send=3, commit=False)).outcome == "aborted"
    assert run_tx(TxClient(amqp.url, q, send=3, commit=True)).outcome == "committed"
    # A receive whose acks are rolled back leaves the messages in the queue.
    aborted = run_tx(TxClient(amqp.url, q, receive=3, commit=False))
    assert (aborted.outcome, aborted.got) == ("aborted", ["tx0", "tx1", "tx2"]), "only the committed sends arrived"
    committed = run_tx(TxClient(amqp.url, q, receive=3, commit=True))
    assert (committed.outcome, committed.got) == ("committed", ["tx0", "tx1", "tx2"])
    c = connect(amqp)
    r = c.create_receiver(q)
    with pytest.raises(Exception):
        r.receive(timeout=0.5)
    c.close()


def test_amqps_with_sasl_plain_over_tls(make_broker, tmp_path):
    from proton import SSLDomain
    from pki import make_pki
    pki = make_pki(str(tmp_path))
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "alice-pw"], check=True)
    port = free_port()
    b = make_broker(allow_anonymous=False, password_file=str(passwd), extra_listeners=[
        {"protocol": "amqp", "transport": "tls", "bind": HOST, "port": port, "allow_anonymous": False,
         "tls": {"cert_file": pki["cert"], "key_file": pki["key"]}}])
    domain = SSLDomain(SSLDomain.MODE_CLIENT)
    domain.set_trusted_ca_db(pki["ca"])
    domain.set_peer_authentication(SSLDomain.VERIFY_PEER_NAME)
    q = uid("amqps.q")
    c = BlockingConnection(f"amqps://localhost:{port}", timeout=10, ssl_domain=domain, user="alice", password="alice-pw",
                           allowed_mechs="PLAIN")
    c.create_sender(q).send(Message(body="over tls", durable=True))
    r = c.create_receiver(q)
    assert r.receive(timeout=10).body == "over tls"
    r.accept()
    c.close()
    b.assert_alive()


# --------------------------------------------------------------------------- durability

def test_accepted_persistent_transfers_survive_kill_9(make_broker):
    b = start_amqp(make_broker)
    q = uid("amqp.k9")
    c = connect(b)
    s = c.create_sender(q)
    for i in range(200):
        s.send(Message(body=f"m{i}", durable=True))  # returns once Pier settled it as accepted
    b.kill9()
    b.start()
    c = connect(b)
    r = c.create_receiver(q, credit=250)
    got = [r.receive(timeout=10).body for _ in range(200)]
    r.accept()
    assert got == [f"m{i}" for i in range(200)]
    c.close()


# --------------------------------------------------------------------------- a second client: qpid-proton C

def test_proton_c_send_and_receive_examples(amqp):
    q = uid("amqp.c")
    for tool in (PROTON_SEND, PROTON_RECEIVE):
        assert __import__("os").access(tool, __import__("os").X_OK), f"{tool} missing: run scripts/build-proton-broker.sh"
    sent = subprocess.run([PROTON_SEND, HOST, str(amqp.amqp_port), q, "100"], capture_output=True, text=True, timeout=30)
    assert sent.returncode == 0 and "100 messages sent and acknowledged" in sent.stdout, sent.stdout + sent.stderr
    got = subprocess.run([PROTON_RECEIVE, HOST, str(amqp.amqp_port), q, "100"], capture_output=True, text=True, timeout=30)
    assert got.returncode == 0 and "100 messages received" in got.stdout, got.stdout + got.stderr
    # The map bodies come back as they were sent.
    assert '{"sequence"=1}' in got.stdout and '{"sequence"=100}' in got.stdout


# --------------------------------------------------------------------------- across protocols

@pytest.fixture
def multi(make_broker):
    return start_amqp(make_broker, stomp=True, openwire=True)


def mqtt_client(b, got: list) -> mqtt.Client:
    m = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=uid("m"), protocol=mqtt.MQTTv5)
    m.on_message = lambda _c, _u, msg: got.append(msg)
    m.connect(HOST, b.port)
    m.loop_start()
    return m


def wait_for(items: list, n: int = 1, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while len(items) < n and time.time() < deadline:
        time.sleep(0.05)


def test_amqp_and_mqtt_both_ways_with_properties(multi):
    topic = uid("x/amqp")
    got = []
    m = mqtt_client(multi, got)
    m.subscribe(topic, qos=1)
    time.sleep(0.3)
    c = connect(multi)
    c.create_sender("topic://" + topic.replace("/", ".")).send(
        Message(body="from AMQP", durable=True, content_type="text/plain", properties={"region": "eu", "n": 7}))
    wait_for(got)
    assert got and got[0].payload == b"from AMQP" and got[0].qos == 1
    props = dict(got[0].properties.UserProperty)
    assert props == {"region": "eu", "n": "7"} and got[0].properties.ContentType == "text/plain"
    back = uid("y/amqp")
    r = c.create_receiver("topic://" + back.replace("/", "."), credit=10)
    pp = Properties(PacketTypes.PUBLISH)
    pp.PayloadFormatIndicator = 1
    pp.UserProperty = [("region", "us")]
    pp.CorrelationData = b"corr-9"
    m.publish(back, "from MQTT", qos=1, properties=pp).wait_for_publish(10)
    msg = r.receive(timeout=10)
    r.accept()
    assert (msg.body, msg.properties, msg.durable, msg.correlation_id) == ("from MQTT", {"region": "us"}, True, "corr-9")
    m.loop_stop()
    m.disconnect()
    c.close()


def test_amqp_and_stomp_both_ways_with_properties(multi):
    q = uid("amqp.stomp")
    conn, listener = open_connection(StompTarget(HOST, multi.stomp_port, broker=multi))
    conn.subscribe(f"/queue/{q}", id="1", ack="auto")
    time.sleep(0.2)
    c = connect(multi)
    c.create_sender(q).send(Message(body="from AMQP", durable=True, priority=6, correlation_id="c-7",
                                    properties={"colour": "red", "count": 42}))
    msgs = listener.wait_messages(1)
    assert msgs, "STOMP consumer got nothing"
    h = msgs[0].headers
    assert msgs[0].body == "from AMQP"
    assert (h.get("colour"), h.get("count"), h.get("persistent"), h.get("priority"), h.get("correlation-id")) == \
        ("red", "42", "true", "6", "c-7")
    back = uid("amqp.stompback")
    r = c.create_receiver(back, credit=10)
    conn.send(f"/queue/{back}", "from STOMP", headers={"colour": "blue", "persistent": "true"})
    msg = r.receive(timeout=10)
    r.accept()
    # stomp.py sends content-length, so the body is bytes (a BytesMessage in ActiveMQ terms).
    assert bytes(msg.body) == b"from STOMP" and msg.properties == {"colour": "blue"} and msg.durable
    conn.disconnect()
    c.close()


def test_amqp_and_jms_both_ways_with_properties(multi, jms_classes):
    q = uid("amqp.jms")
    p = subprocess.Popen(java(jms_classes, "PierJmsTool", "recv", multi.openwire_url, f"queue://{q}", "10000"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "READY"
    c = connect(multi)
    c.create_sender(q).send(Message(body="from AMQP", durable=True, properties={"count": 42, "colour": "red", "ok": True}))
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, out + err
    lines = out.splitlines()
    assert "CLASS ActiveMQTextMessage" in lines and "TEXT from AMQP" in lines, out
    assert "PROP count=42 (Long)" in lines and "PROP colour=red (String)" in lines and "PROP ok=true (Boolean)" in lines, out
    assert "PERSISTENT true" in lines, out
    back = uid("amqp.jmsback")
    r = c.create_receiver(back, credit=10)
    sent = subprocess.run(java(jms_classes, "PierJmsTool", "send", multi.openwire_url, f"queue://{back}", "from JMS",
                               "int:count=42", "bool:flag=true", "colour=green"), capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0, sent.stderr
    msg = r.receive(timeout=10)
    r.accept()
    assert msg.body == "from JMS"
    assert msg.properties == {"count": 42, "flag": True, "colour": "green"}
    assert (msg.durable, msg.priority, msg.correlation_id) == (True, 6, "corr-1")
    assert str(msg.id).startswith("ID:")
    c.close()
