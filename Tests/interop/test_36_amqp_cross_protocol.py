"""Messages crossing between AMQP 1.0 and MQTT, STOMP and JMS, both ways, with their properties."""

from __future__ import annotations

import subprocess
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from proton import Message

from amqp_support import connect, start_amqp
from conftest import HOST, IS_MOSQUITTO, uid
from jms_support import java, jms_classes  # noqa: F401 (jms_classes is a fixture)
from stomp_support import StompTarget, open_connection

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto has no AMQP listener")


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
