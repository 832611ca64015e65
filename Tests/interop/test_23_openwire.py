"""OpenWire (ActiveMQ's JMS protocol) against Pier with Debian's ActiveMQ 5.17.2 JMS client: the JMS
scenario programs in jms/PierJms.java (each was first checked against ActiveMQ itself, see
jms/README.md), and messages crossing between JMS, STOMP and MQTT."""

from __future__ import annotations

import os
import subprocess
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from conftest import HOST, IS_MOSQUITTO, _accepts, free_port, uid, wait_until
from jms_support import java, jms_classes  # noqa: F401 (jms_classes is a fixture)
from stomp_support import StompTarget, open_connection

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto has no OpenWire listener")


def start_openwire(make_broker, allow_anonymous: bool = True, **kwargs):
    ow, st = free_port(), free_port()
    b = make_broker(allow_anonymous=allow_anonymous, extra_listeners=[
        {"protocol": "openwire", "transport": "tcp", "bind": HOST, "port": ow, "allow_anonymous": allow_anonymous},
        {"protocol": "stomp", "transport": "tcp", "bind": HOST, "port": st, "allow_anonymous": allow_anonymous},
    ], **kwargs)
    assert wait_until(lambda: _accepts(HOST, ow) and _accepts(HOST, st), 10), f"listeners never came up:\n{b.stderr()}"
    b.openwire_url = f"tcp://{HOST}:{ow}"
    b.stomp = StompTarget(HOST, st, broker=b)
    return b


@pytest.fixture
def openwire(make_broker):
    """Pier with its MQTT listener plus an OpenWire and a STOMP listener."""
    return start_openwire(make_broker)


# --------------------------------------------------------------------------- JMS scenarios

SCENARIOS = ["types", "competing", "topics", "client-ack", "transactions", "selectors", "request-reply", "browser", "dlq", "large",
             "prefetch-redelivery", "composite"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_jms_scenario(openwire, jms_classes, scenario):
    env = {**os.environ, "PIER_JMS_TIMEOUT": "60"}
    r = subprocess.run(java(jms_classes, "PierJms", scenario, openwire.openwire_url),
                       capture_output=True, text=True, timeout=120, env=env)
    lines = r.stdout.strip().splitlines()
    report = f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr[-6000:]}\nbroker:\n{openwire.stderr()[-3000:]}"
    assert r.returncode == 0, report
    assert lines and lines[-1].startswith(f"PASS {scenario}"), report


# --------------------------------------------------------------------------- across protocols

def start_receiver(classes: str, url: str, destination: str, timeout_ms: int = 10000) -> subprocess.Popen:
    p = subprocess.Popen(java(classes, "PierJmsTool", "recv", url, destination, str(timeout_ms)),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline().strip()
    if first != "READY":
        p.kill()
        pytest.fail(f"JMS receiver did not start: {first!r} {p.stderr.read()}")
    return p


def finish_receiver(p: subprocess.Popen) -> dict[str, list[str]]:
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, f"JMS receiver: exit {p.returncode}\n{out}\n{err}"
    lines: dict[str, list[str]] = {}
    for line in out.splitlines():
        key, _, rest = line.partition(" ")
        lines.setdefault(key, []).append(rest)
    return lines


def test_jms_to_stomp_keeps_body_and_typed_properties_as_headers(openwire, jms_classes):
    name = uid("ow.x")
    conn, listener = open_connection(openwire.stomp)
    conn.subscribe(f"/queue/{name}", id="1", ack="auto")
    time.sleep(0.2)
    r = subprocess.run(java(jms_classes, "PierJmsTool", "send", openwire.openwire_url, f"queue://{name}", "hello from JMS",
                            "int:count=42", "bool:flag=true", "colour=red"),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    msgs = listener.wait_messages(1)
    assert len(msgs) == 1, "STOMP consumer got nothing"
    h = msgs[0].headers
    assert msgs[0].body == "hello from JMS"
    assert (h.get("count"), h.get("flag"), h.get("colour")) == ("42", "true", "red")
    assert h.get("persistent") == "true" and h.get("priority") == "6" and h.get("correlation-id") == "corr-1"
    assert h.get("message-id", "").startswith("ID:")
    conn.disconnect()


def test_stomp_to_jms_arrives_with_its_headers_as_properties(openwire, jms_classes):
    name = uid("ow.y")
    p = start_receiver(jms_classes, openwire.openwire_url, f"queue://{name}")
    conn, _ = open_connection(openwire.stomp)
    # stomp.py adds content-length, which makes a BytesMessage as in ActiveMQ; a text message needs it left out.
    conn.send(f"/queue/{name}", "hello from STOMP", headers={"colour": "blue", "persistent": "true"})
    got = finish_receiver(p)
    conn.disconnect()
    assert got["CLASS"] == ["ActiveMQBytesMessage"]
    assert got["BYTES"] == ["hello from STOMP"]
    assert "colour=blue (String)" in got["PROP"]
    assert got["PERSISTENT"] == ["true"]


def test_mqtt_to_jms_on_a_topic_with_user_properties(openwire, jms_classes):
    topic = uid("ow/z")
    p = start_receiver(jms_classes, openwire.openwire_url, "topic://" + topic.replace("/", "."))
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=uid("m"), protocol=mqtt.MQTTv5)
    c.connect(HOST, openwire.port)
    c.loop_start()
    props = Properties(PacketTypes.PUBLISH)
    props.PayloadFormatIndicator = 1
    props.UserProperty = [("region", "eu")]
    c.publish(topic, "hello from MQTT", qos=1, properties=props).wait_for_publish(10)
    got = finish_receiver(p)
    c.loop_stop()
    c.disconnect()
    assert got["CLASS"] == ["ActiveMQTextMessage"]
    assert got["TEXT"] == ["hello from MQTT"]
    assert "region=eu (String)" in got["PROP"]


def test_jms_to_mqtt_on_a_topic_with_properties_as_user_properties(openwire, jms_classes):
    topic = uid("ow/w")
    got = []
    subscribed = []
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=uid("m"), protocol=mqtt.MQTTv5)
    c.on_message = lambda client, userdata, msg: got.append(msg)
    c.on_subscribe = lambda client, userdata, mid, codes, props: subscribed.append(codes)
    c.connect(HOST, openwire.port)
    c.loop_start()
    try:
        c.subscribe(topic, qos=1)
        assert wait_until(lambda: subscribed, 10)
        r = subprocess.run(java(jms_classes, "PierJmsTool", "send", openwire.openwire_url,
                                "topic://" + topic.replace("/", "."), "hello from JMS", "int:count=7", "colour=green"),
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert wait_until(lambda: got, 10), "MQTT subscriber got nothing"
    finally:
        c.loop_stop()
        c.disconnect()
    msg = got[0]
    assert msg.topic == topic and msg.payload == b"hello from JMS"
    assert msg.qos == 1  # a persistent JMS message is QoS 1 to MQTT
    user = dict(getattr(msg.properties, "UserProperty", []))
    assert (user.get("count"), user.get("colour")) == ("7", "green")
    assert getattr(msg.properties, "CorrelationData", None) == b"corr-1"


# --------------------------------------------------------------------------- login and bad input

def test_login_is_checked_and_a_bad_password_is_a_security_exception(make_broker, jms_classes, tmp_path):
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "alice-pw"], check=True)
    b = start_openwire(make_broker, allow_anonymous=False, password_file=str(passwd))
    name = uid("ow.sec")
    good = subprocess.run(java(jms_classes, "PierJmsTool", "send", b.openwire_url + "?jms.userName=alice&jms.password=alice-pw",
                               f"queue://{name}", "ok"), capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stderr
    bad = subprocess.run(java(jms_classes, "PierJmsTool", "send", b.openwire_url + "?jms.userName=alice&jms.password=wrong",
                              f"queue://{name}", "no"), capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0
    assert "SecurityException" in bad.stderr and "password is invalid" in bad.stderr, bad.stderr
    anonymous = subprocess.run(java(jms_classes, "PierJmsTool", "send", b.openwire_url, f"queue://{name}", "no"),
                               capture_output=True, text=True, timeout=60)
    assert anonymous.returncode != 0 and "SecurityException" in anonymous.stderr, anonymous.stderr


def test_acl_per_destination_refuses_with_jms_security_exception(make_broker, jms_classes, tmp_path):
    passwd, acl = tmp_path / "passwd", tmp_path / "acl"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "alice-pw"], check=True)
    acl.write_text("user alice\nqueue readwrite orders.>\nqueue write drop.>\ntopic readwrite sensors/#\n")
    b = start_openwire(make_broker, allow_anonymous=False, password_file=str(passwd), acl_file=str(acl))
    url = b.openwire_url + "?jms.userName=alice&jms.password=alice-pw"

    def tool(*args):
        return subprocess.run(java(jms_classes, "PierJmsTool", *args), capture_output=True, text=True, timeout=60)

    allowed = tool("send", url, "queue://orders.eu", "ok")
    assert allowed.returncode == 0, allowed.stderr
    for denied in ("queue://secret", "topic://alarms.fire"):
        r = tool("send", url, denied, "no")
        assert r.returncode != 0 and "javax.jms.JMSSecurityException" in r.stderr, (denied, r.stderr)
    # Write-only: sending is allowed, consuming is refused when the consumer is created.
    assert tool("send", url, "queue://drop.box", "in").returncode == 0
    r = tool("recv", url, "queue://drop.box", "2000")
    assert r.returncode != 0 and "READY" not in r.stdout and "javax.jms.JMSSecurityException" in r.stderr, r.stdout + r.stderr
    r = tool("recv", url, "queue://orders.eu", "10000")
    assert r.returncode == 0 and "TEXT ok" in r.stdout, r.stderr


def read_frame(sock) -> tuple[int, bytes]:
    head = b""
    while len(head) < 4:
        chunk = sock.recv(4 - len(head))
        if not chunk:
            raise EOFError
        head += chunk
    size = int.from_bytes(head, "big")
    body = b""
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        if not chunk:
            raise EOFError
        body += chunk
    return body[0], body


@pytest.mark.parametrize("garbage", [
    b"\x00\x00\x00\x02\xff\x00",            # an unknown command type
    b"\xff\xff\xff\xf0" + b"x" * 16,           # a negative frame size
    b"\x00\x00\x00\x05\x03\x00\x00\x00\x01",  # a ConnectionInfo cut short, before the WireFormatInfo
], ids=["unknown-type", "negative-size", "truncated"])
def test_bad_input_gets_a_connection_error_and_a_close_and_the_broker_lives_on(openwire, jms_classes, garbage):
    import socket
    port = int(openwire.openwire_url.rsplit(":", 1)[1])
    with socket.create_connection((HOST, port), timeout=5) as s:
        kind, body = read_frame(s)
        assert kind == 1 and body[1:9] == b"ActiveMQ", "the broker speaks first with its WireFormatInfo"
        s.sendall(garbage)
        frames = []
        try:
            while True:
                frames.append(read_frame(s)[0])
        except (EOFError, ConnectionResetError):
            pass
        assert 16 in frames, f"expected a ConnectionError (16) before the close, got {frames}"
    # The broker still serves a JMS client afterwards (the browser scenario has its own test).
    r = subprocess.run(java(jms_classes, "PierJms", "types", openwire.openwire_url), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
