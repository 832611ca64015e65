"""STOMP with stomp.py 9 against Pier: the versions, queues (competing consumers, prefetch, FIFO,
exclusive, redelivery and dead letters, selectors, groups, delay, expiry), topics, durable
subscriptions, transactions, temporary destinations, and STOMP ⇄ MQTT."""

import threading
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from conftest import HOST, uid
from stomp_support import open_connection, raw_exchange


def connect(target, version="1.2", **kw):
    conn, listener = open_connection(target, version, **kw)
    return conn, listener


@pytest.fixture
def pier(make_stomp_broker):
    return make_stomp_broker()


# --------------------------------------------------------------------------- versions

@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_send_and_receive_in_every_version(stomp_target, version):
    q = f"/queue/{uid('v')}"
    conn, got = connect(stomp_target, version)
    try:
        if version == "1.0":
            conn.subscribe(q, ack="client")
        else:
            conn.subscribe(q, id="s1", ack="client")
        conn.send(q, "hello " + version, receipt="r1")
        assert got.wait_receipt("r1")
        [m] = got.wait_messages(1)
        assert m.body == "hello " + version
        assert m.headers["destination"] == q
        if version == "1.2":
            conn.ack(m.headers["ack"])
        elif version == "1.1":
            conn.ack(m.headers["message-id"], "s1")
        else:
            conn.ack(m.headers["message-id"])
        conn.disconnect(receipt="bye")
        assert got.wait_receipt("bye")
        assert not got.errors
    finally:
        if conn.is_connected():
            conn.disconnect()


def test_connected_frame_negotiates_version_and_heartbeat(pier):
    reply = raw_exchange(HOST, pier.port, b"CONNECT\naccept-version:1.1,1.2\nheart-beat:0,0\nhost:/\n\n\x00"
                         b"DISCONNECT\nreceipt:77\n\n\x00")
    assert reply.startswith(b"CONNECTED\n")
    assert b"version:1.2\n" in reply
    assert b"heart-beat:0,0\n" in reply
    assert b"RECEIPT\nreceipt-id:77\n" in reply


def test_unsupported_version_gets_error_with_supported_list(pier):
    reply = raw_exchange(HOST, pier.port, b"CONNECT\naccept-version:3.0\n\n\x00")
    assert reply.startswith(b"ERROR\n")
    assert b"version:1.0,1.1,1.2\n" in reply


@pytest.mark.parametrize("data,fragment", [
    (b"SEND\ndestination:/queue/a\n\nx\x00", b"before CONNECT"),
    (b"HELLO\n\n\x00", b"unknown command"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"unknown command"),
    (b"CONNECT\naccept-version:1.2\n\n\x00SUBSCRIBE\ndestination:/queue/a\n\n\x00", b"no id header"),
    (b"CONNECT\naccept-version:1.2\n\n\x00SEND\ndestination:/nowhere/a\n\nx\x00", b"Unknown destination"),
    (b"CONNECT\naccept-version:1.2\n\n\x00ACK\nid:12345\n\n\x00", b"not waiting"),
    (b"CONNECT\naccept-version:1.2\n\n\x00SEND\ndestination:/queue/a\ncontent-length:2\n\nabc\x00", b"NUL"),
    (b"CONNECT\naccept-version:1.2\n\n\x00SEND\nnocolon\n\n\x00", b"malformed header"),
])
def test_bad_input_gets_an_error_frame_and_a_close(pier, data, fragment):
    reply = raw_exchange(HOST, pier.port, data)
    assert b"ERROR\n" in reply, reply
    assert fragment in reply, reply
    pier.broker.assert_alive()


def test_body_with_nul_survives_with_content_length(stomp_target):
    q = f"/queue/{uid('nul')}"
    conn, got = open_connection(stomp_target, "1.2")
    conn.auto_decode = False
    conn.subscribe(q, id="1")
    conn.send(q, b"a\x00b\x00c", receipt="r")
    [m] = got.wait_messages(1)
    assert (m.body if isinstance(m.body, bytes) else m.body.encode()) == b"a\x00b\x00c"
    conn.disconnect()


# --------------------------------------------------------------------------- queues

def test_competing_consumers_share_a_queue_without_loss_or_duplicates(stomp_target):
    q = f"/queue/{uid('work')}"
    a, got_a = connect(stomp_target)
    b, got_b = connect(stomp_target)
    a.subscribe(q, id="1", ack="client-individual", headers={"activemq.prefetchSize": "5"})
    b.subscribe(q, id="1", ack="client-individual", headers={"activemq.prefetchSize": "5"})
    stop = threading.Event()

    def acker(conn, got):
        while not stop.is_set():
            for m in got.take():
                with got.cond:
                    got.seen = getattr(got, "seen", []) + [m.body]
                conn.ack(m.headers["ack"])
            time.sleep(0.01)

    threads = [threading.Thread(target=acker, args=(a, got_a)), threading.Thread(target=acker, args=(b, got_b))]
    for t in threads:
        t.start()
    p, _ = connect(stomp_target)
    for i in range(200):
        p.send(q, f"job-{i}", headers={"persistent": "true"})
    p.disconnect(receipt="done")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(getattr(got_a, "seen", [])) + len(getattr(got_b, "seen", [])) < 200:
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join()
    seen = getattr(got_a, "seen", []) + getattr(got_b, "seen", [])
    assert sorted(seen) == sorted(f"job-{i}" for i in range(200))
    assert getattr(got_a, "seen", []) and getattr(got_b, "seen", []), "both consumers got work"
    a.disconnect()
    b.disconnect()


def test_prefetch_bounds_unacknowledged_messages_and_fifo_holds(stomp_target):
    q = f"/queue/{uid('pf')}"
    p, _ = connect(stomp_target)
    for i in range(5):
        p.send(q, f"m{i}")
    p.disconnect(receipt="x")
    c, got = connect(stomp_target)
    c.subscribe(q, id="1", ack="client-individual", headers={"activemq.prefetchSize": "2"})
    got.wait_messages(2)
    time.sleep(0.3)
    assert got.bodies() == ["m0", "m1"], "no third message before an ack"
    c.ack(got.messages[0].headers["ack"])
    got.wait_messages(3)
    assert got.bodies() == ["m0", "m1", "m2"]
    c.disconnect()


def test_exclusive_consumer_gets_everything_until_it_leaves(pier):
    q = f"/queue/{uid('ex')}"
    ex, got_ex = connect(pier)
    other, got_other = connect(pier)
    ex.subscribe(q, id="1", headers={"activemq.exclusive": "true"})
    other.subscribe(q, id="1", receipt="sub")
    assert got_other.wait_receipt("sub")
    p, _ = connect(pier)
    for i in range(4):
        p.send(q, f"m{i}")
    got_ex.wait_messages(4)
    assert got_ex.bodies() == ["m0", "m1", "m2", "m3"]
    assert got_other.messages == []
    ex.disconnect(receipt="gone")
    p.send(q, "after")
    got_other.wait_messages(1)
    assert got_other.bodies() == ["after"]
    p.disconnect()
    other.disconnect()


def test_nack_redelivers_with_the_flag_and_the_seventh_goes_to_the_dead_letter_queue(pier):
    q = uid("poison")
    c, got = connect(pier)
    c.subscribe(f"/queue/{q}", id="1", ack="client-individual")
    c.send(f"/queue/{q}", "bad", headers={"persistent": "true"})
    for attempt in range(7):
        [m] = got.wait_messages(1)
        got.take()
        assert m.body == "bad"
        assert (m.headers.get("redelivered") == "true") == (attempt > 0)
        c.nack(m.headers["ack"])
    time.sleep(0.3)
    assert got.messages == [], "after 6 redeliveries it is dead-lettered"
    c.subscribe("/queue/ActiveMQ.DLQ", id="dlq", receipt="s")
    dead = [m for m in got.wait_messages(1) if m.body == "bad"]
    assert dead, got.bodies()
    assert dead[0].headers["originalDestination"] == f"queue://{q}"
    assert "redelivered 6 times" in dead[0].headers["dlqDeliveryFailureCause"]
    c.disconnect()


def test_unacked_messages_return_to_the_queue_when_the_consumer_leaves(stomp_target):
    q = f"/queue/{uid('ret')}"
    a, got_a = connect(stomp_target)
    a.subscribe(q, id="1", ack="client-individual")
    a.send(q, "one")
    got_a.wait_messages(1)
    a.disconnect()
    b, got_b = connect(stomp_target)
    b.subscribe(q, id="1", ack="client-individual")
    [m] = got_b.wait_messages(1)
    assert m.body == "one"
    assert m.headers.get("redelivered") == "true"
    b.disconnect()


def test_selector_picks_matching_messages_and_a_bad_one_is_an_error(stomp_target):
    q = f"/queue/{uid('sel')}"
    c, got = connect(stomp_target)
    c.subscribe(q, id="1", headers={"selector": "colour = 'red' AND weight > 2"})
    c.send(q, "a", headers={"colour": "red", "weight": "3"})
    c.send(q, "b", headers={"colour": "blue", "weight": "3"})
    c.send(q, "c", headers={"colour": "red", "weight": "1"})
    got.wait_messages(1)
    time.sleep(0.3)
    # Properties arrive from STOMP as strings: weight > 2 compares numerically only for numbers.
    assert got.bodies() in (["a"], [])
    c.disconnect()
    bad, got_bad = connect(stomp_target)
    bad.subscribe(q, id="2", headers={"selector": "colour = "})
    err = got_bad.wait_error()
    assert err is not None and "selector" in err.headers["message"].lower()


def test_string_selector_on_headers(stomp_target):
    q = f"/queue/{uid('sel2')}"
    c, got = connect(stomp_target)
    c.subscribe(q, id="1", headers={"selector": "region IN ('eu', 'us') AND JMSType = 'order'"})
    c.send(q, "eu", headers={"region": "eu", "type": "order"})
    c.send(q, "ap", headers={"region": "ap", "type": "order"})
    c.send(q, "us-quote", headers={"region": "us", "type": "quote"})
    c.send(q, "us", headers={"region": "us", "type": "order"})
    got.wait_messages(2)
    time.sleep(0.2)
    assert got.bodies() == ["eu", "us"]
    c.disconnect()


def test_message_groups_stick_to_one_consumer(pier):
    q = f"/queue/{uid('grp')}"
    a, got_a = connect(pier)
    b, got_b = connect(pier)
    a.subscribe(q, id="1")
    b.subscribe(q, id="1", receipt="s")
    assert got_b.wait_receipt("s")
    p, _ = connect(pier)
    for i in range(10):
        p.send(q, f"{'x' if i % 2 else 'y'}{i}", headers={"JMSXGroupID": "gx" if i % 2 else "gy"})
    p.disconnect(receipt="d")
    got_a.wait(lambda: len(got_a.messages) + len(got_b.messages) >= 10)
    for got in (got_a, got_b):
        groups = {m.headers["JMSXGroupID"] for m in got.messages}
        assert len(groups) <= 1, groups
    a.disconnect()
    b.disconnect()


def test_scheduled_delay_holds_a_message_back(pier):
    q = f"/queue/{uid('delay')}"
    c, got = connect(pier)
    c.subscribe(q, id="1")
    c.send(q, "later", headers={"AMQ_SCHEDULED_DELAY": "3000"})
    c.send(q, "now")
    got.wait_messages(1)
    time.sleep(0.3)
    assert got.bodies() == ["now"], "a delayed message never arrives early"
    got.wait_messages(2, timeout=15)
    assert got.bodies() == ["now", "later"]
    c.disconnect()


def test_expired_message_is_not_delivered(pier):
    q = f"/queue/{uid('exp')}"
    c, got = connect(pier)
    past = int(time.time() * 1000) - 1000
    c.send(q, "stale", headers={"expires": str(past)})
    c.send(q, "fresh")
    c.subscribe(q, id="1")
    got.wait_messages(1)
    time.sleep(0.2)
    assert got.bodies() == ["fresh"]
    c.disconnect()


def test_composite_destination_reaches_every_part(stomp_target):
    a, b = uid("ca"), uid("cb")
    c, got = connect(stomp_target)
    c.subscribe(f"/queue/{a}", id="1")
    c.subscribe(f"/queue/{b}", id="2")
    c.send(f"/queue/{a},/queue/{b}", "both")
    got.wait_messages(2)
    assert sorted(m.headers["subscription"] for m in got.messages) == ["1", "2"]
    c.disconnect()


# --------------------------------------------------------------------------- transactions

def test_transaction_commit_delivers_and_abort_drops(stomp_target):
    q = f"/queue/{uid('tx')}"
    c, got = connect(stomp_target)
    c.subscribe(q, id="1")
    tx = c.begin()
    c.send(q, "in-tx", transaction=tx)
    time.sleep(0.3)
    assert got.messages == [], "nothing before commit"
    c.commit(tx, headers={"receipt": "c1"})
    got.wait_messages(1)
    assert got.bodies() == ["in-tx"]
    tx2 = c.begin()
    c.send(q, "aborted", transaction=tx2)
    c.abort(tx2, headers={"receipt": "a1"})
    assert got.wait_receipt("a1")
    time.sleep(0.2)
    assert got.bodies() == ["in-tx"]
    c.disconnect()


def test_acks_in_an_aborted_transaction_are_redelivered(stomp_target):
    q = f"/queue/{uid('txack')}"
    c, got = connect(stomp_target)
    c.send(q, "work")
    c.subscribe(q, id="1", ack="client-individual")
    [m] = got.wait_messages(1)
    tx = c.begin()
    c.ack(m.headers["ack"], transaction=tx)
    c.abort(tx)
    again = got.wait_messages(2)
    assert again[1].body == "work"
    assert again[1].headers.get("redelivered") == "true"
    c.disconnect()


def test_connection_loss_rolls_back_a_transaction(pier):
    q = f"/queue/{uid('txloss')}"
    c, _ = connect(pier)
    tx = c.begin()
    c.send(q, "lost", transaction=tx)
    c.transport.socket.close()  # no COMMIT, no DISCONNECT
    time.sleep(0.3)
    d, got = connect(pier)
    d.subscribe(q, id="1")
    time.sleep(0.5)
    assert got.messages == []
    d.disconnect()


# --------------------------------------------------------------------------- topics

def test_topic_fanout_and_wildcards(stomp_target):
    base = uid("t")
    a, got_a = connect(stomp_target)
    b, got_b = connect(stomp_target)
    a.subscribe(f"/topic/{base}.*.temp", id="1")
    b.subscribe(f"/topic/{base}.>", id="1", receipt="s")
    assert got_b.wait_receipt("s")
    a.send(f"/topic/{base}.k1.temp", "21")
    got_a.wait_messages(1)
    got_b.wait_messages(1)
    assert got_a.messages[0].headers["destination"] == f"/topic/{base}.k1.temp"
    assert got_b.bodies() == ["21"]
    a.disconnect()
    b.disconnect()


def test_durable_subscription_keeps_messages_while_away_and_unsubscribe_removes_it(stomp_target):
    topic = f"/topic/{uid('dur')}"
    cid = uid("app")
    c, got = connect(stomp_target, client_id=cid)
    c.subscribe(topic, id="1", ack="client-individual", headers={"activemq.subscriptionName": "audit"})
    c.disconnect(receipt="away")
    p, _ = connect(stomp_target)
    p.send(topic, "while-away", headers={"persistent": "true"})
    p.disconnect(receipt="sent")
    c, got = connect(stomp_target, client_id=cid)
    c.subscribe(topic, id="1", ack="client-individual", headers={"activemq.subscriptionName": "audit"})
    [m] = got.wait_messages(1)
    assert m.body == "while-away"
    assert m.headers["destination"] == topic
    c.ack(m.headers["ack"])
    c.unsubscribe("1", headers={"activemq.subscriptionName": "audit", "receipt": "u"})
    assert got.wait_receipt("u")
    c.disconnect()
    p, _ = connect(stomp_target)
    p.send(topic, "after-removal")
    p.disconnect(receipt="x")
    c, got = connect(stomp_target, client_id=cid)
    c.subscribe(topic, id="1", headers={"activemq.subscriptionName": "audit"}, receipt="s")
    assert got.wait_receipt("s")
    time.sleep(0.3)
    assert got.bodies() == [], "a removed subscription kept nothing"
    c.disconnect()


def test_temporary_queue_reply_to_and_deletion(pier):
    server, got_server = connect(pier)
    work = f"/queue/{uid('rpc')}"
    server.subscribe(work, id="1")
    client, got_client = connect(pier)
    client.subscribe("/temp-queue/replies", id="r")
    client.send(work, "ping", headers={"reply-to": "/temp-queue/replies"})
    [req] = got_server.wait_messages(1)
    reply_to = req.headers["reply-to"]
    assert reply_to.startswith("/remote-temp-queue/"), reply_to
    server.send(reply_to, "pong")
    [rep] = got_client.wait_messages(1)
    assert rep.body == "pong"
    client.disconnect(receipt="gone")
    server.send(reply_to, "too late", receipt="late")
    err = got_server.wait_error()
    assert err is not None and "no longer exists" in err.headers["message"]


def test_virtual_topic_fans_out_to_consumer_queues(pier):
    a, got_a = connect(pier)
    b, got_b = connect(pier)
    a.subscribe("/queue/Consumer.A.VirtualTopic.Orders", id="1")
    b.subscribe("/queue/Consumer.B.VirtualTopic.Orders", id="1", receipt="s")
    assert got_b.wait_receipt("s")
    c, _ = connect(pier)
    c.send("/topic/VirtualTopic.Orders", "order-1", headers={"persistent": "true"})
    c.disconnect(receipt="x")
    assert [m.body for m in got_a.wait_messages(1)] == ["order-1"]
    assert [m.body for m in got_b.wait_messages(1)] == ["order-1"]
    a.disconnect()
    b.disconnect()


# --------------------------------------------------------------------------- STOMP ⇄ MQTT

def _mqtt_client(port, on_message=None):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=uid("m"), protocol=mqtt.MQTTv5)
    if on_message:
        client.on_message = on_message
    client.connect(HOST, port)
    client.loop_start()
    return client


def test_mqtt_publish_reaches_a_stomp_subscriber_with_properties(pier):
    topic = uid("x2s")
    c, got = connect(pier)
    c.subscribe(f"/topic/{topic}.sensor", id="1", receipt="s")
    assert got.wait_receipt("s")
    m = _mqtt_client(pier.mqtt_port)
    props = Properties(PacketTypes.PUBLISH)
    props.UserProperty = [("site", "north")]
    props.ContentType = "application/json"
    props.CorrelationData = b"corr-7"
    props.ResponseTopic = f"{topic}/replies"
    m.publish(f"{topic}/sensor", b'{"t":1}', qos=1, properties=props).wait_for_publish(5)
    [msg] = got.wait_messages(1)
    assert msg.body == '{"t":1}'
    assert msg.headers["site"] == "north"
    assert msg.headers["content-type"] == "application/json"
    assert msg.headers["correlation-id"] == "corr-7"
    assert msg.headers["reply-to"] == f"/topic/{topic}.replies"
    assert msg.headers["persistent"] == "true", "QoS 1 is persistent"
    m.loop_stop()
    m.disconnect()
    c.disconnect()


def test_stomp_send_reaches_an_mqtt_subscriber_with_properties(pier):
    topic = uid("s2x")
    got = []
    ev = threading.Event()

    def on_message(client, userdata, message):
        got.append(message)
        ev.set()

    m = _mqtt_client(pier.mqtt_port, on_message)
    m.subscribe(f"{topic}/#", qos=1)
    time.sleep(0.3)
    c, _ = connect(pier)
    c.send(f"/topic/{topic}.a.b", "from-stomp", headers={"persistent": "true", "colour": "red", "correlation-id": "c1",
                                                        "reply-to": f"/topic/{topic}.back"})
    assert ev.wait(5)
    msg = got[0]
    assert msg.topic == f"{topic}/a/b"
    assert msg.payload == b"from-stomp"
    assert msg.qos == 1
    props = dict(msg.properties.UserProperty)
    assert props["colour"] == "red"
    assert msg.properties.CorrelationData == b"c1"
    assert msg.properties.ResponseTopic == f"{topic}/back"
    c.disconnect()
    m.loop_stop()
    m.disconnect()


def test_mqtt_virtual_topic_publish_lands_in_stomp_consumer_queues(pier):
    c, got = connect(pier)
    c.subscribe("/queue/Consumer.Svc.VirtualTopic.Telemetry", id="1", receipt="s")
    assert got.wait_receipt("s")
    m = _mqtt_client(pier.mqtt_port)
    m.publish("VirtualTopic/Telemetry", b"reading", qos=1).wait_for_publish(5)
    [msg] = got.wait_messages(1)
    assert msg.body == "reading"
    m.loop_stop()
    m.disconnect()
    c.disconnect()


# --------------------------------------------------------------------------- limits and slow clients

def test_oversized_frame_and_duplicate_subscription_id_get_errors(pier):
    big = b"SEND\ndestination:/queue/big\ncontent-length:20000000\n\n"
    reply = raw_exchange(HOST, pier.port, b"CONNECT\naccept-version:1.2\n\n\x00" + big)
    assert b"ERROR\n" in reply and b"maximum size" in reply, reply[-300:]
    reply = raw_exchange(HOST, pier.port, b"CONNECT\naccept-version:1.2\n\n\x00"
                         b"SUBSCRIBE\nid:1\ndestination:/queue/a\n\n\x00SUBSCRIBE\nid:1\ndestination:/queue/b\n\n\x00")
    assert b"already in use" in reply, reply
    many = b"".join(b"h%d:v\n" % i for i in range(1100))
    reply = raw_exchange(HOST, pier.port, b"CONNECT\naccept-version:1.2\n\n\x00SEND\ndestination:/queue/a\n" + many + b"\n\x00")
    assert b"more than 1000 headers" in reply, reply[-200:]
    pier.broker.assert_alive()


def test_a_topic_subscriber_that_stops_reading_does_not_stall_others(pier):
    import socket as sock
    topic = uid("slow")
    # A raw client that subscribes and then never reads its socket.
    stalled = sock.create_connection((HOST, pier.port))
    stalled.setsockopt(sock.SOL_SOCKET, sock.SO_RCVBUF, 4096)
    stalled.sendall(b"CONNECT\naccept-version:1.2\n\n\x00SUBSCRIBE\nid:1\ndestination:/topic/" + topic.encode() + b"\nreceipt:s\n\n\x00")
    time.sleep(0.5)
    fast, got = connect(pier)
    fast.subscribe(f"/topic/{topic}", id="1", receipt="f")
    assert got.wait_receipt("f")
    producer, sent = connect(pier)
    # Paced by receipts, so the reading subscriber is never far behind even on a loaded machine, while the
    # stalled one, which never reads, still fills its buffers (8 MB in all) and goes unwritable.
    body = "x" * 4096
    for i in range(2000):
        receipt = f"r{i}" if i % 50 == 49 else None
        producer.send(f"/topic/{topic}", body, **({"receipt": receipt} if receipt else {}))
        if receipt:
            assert sent.wait_receipt(receipt), "the broker kept answering the producer"
            assert got.wait(lambda: len(got.messages) > i, 30), "the reading subscriber kept up"
    producer.send(f"/topic/{topic}", "last")
    assert got.wait(lambda: any(m.body == "last" for m in got.messages), 60), "the reading subscriber got everything"
    assert len(got.messages) == 2001
    stalled.close()
    producer.disconnect()
    fast.disconnect()
    pier.broker.assert_alive()


def test_browser_subscription_shows_the_queue_without_consuming_it(pier):
    q = f"/queue/{uid('browse')}"
    c, got = connect(pier)
    for i in range(3):
        c.send(q, f"b{i}", headers={"persistent": "true", "n": str(i)}, receipt=f"r{i}")
    assert got.wait_receipt("r2")
    c.subscribe(q, id="browse", headers={"browser": "true"})
    frames = got.wait_messages(4)
    assert [m.body for m in frames[:3]] == ["b0", "b1", "b2"]
    assert frames[3].headers.get("browser") == "end"
    got.take()
    c.subscribe(q, id="consume")
    assert [m.body for m in got.wait_messages(3)] == ["b0", "b1", "b2"], "browsing consumed nothing"
    c.disconnect()
