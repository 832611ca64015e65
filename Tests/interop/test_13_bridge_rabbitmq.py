"""The bridge against RabbitMQ 3.10 with its AMQP 1.0 plugin as upstream, checked with pika (AMQP 0-9-1)."""
import os
import shutil
import subprocess
import tempfile

import pytest

import mqttraw as raw
from conftest import IS_MOSQUITTO, free_port, uid, wait_until

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the bridge is Pier's")

import pika  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_SCRIPT = os.path.join(REPO, "scripts", "rabbitmq-node.sh")


@pytest.fixture(scope="module")
def rabbit():
    """One isolated RabbitMQ node for the module (it takes ~10 s to start), stopped by its own script."""
    work = tempfile.mkdtemp(prefix="pier-rabbit-")
    port, epmd, dist = free_port(), free_port(), free_port()
    r = subprocess.run([NODE_SCRIPT, "start", work, str(port), str(epmd), str(dist)], capture_output=True, timeout=120)
    if r.returncode != 0:
        logs = subprocess.run(["bash", "-c", f"tail -n 40 {work}/*.log {work}/log/*.log 2>/dev/null"],
                              capture_output=True, text=True).stdout
        subprocess.run([NODE_SCRIPT, "stop", work], timeout=60)
        pytest.fail(f"RabbitMQ did not start:\n{r.stderr.decode()}\n{logs}")
    yield port
    subprocess.run([NODE_SCRIPT, "stop", work], timeout=60)
    shutil.rmtree(work, ignore_errors=True)


def pika_channel(port):
    conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port, credentials=pika.PlainCredentials("guest", "guest")))
    return conn, conn.channel()


def test_mqtt_to_rabbitmq_and_commands_back(make_broker, tmp_path, rabbit, peers):
    conn, ch = pika_channel(rabbit)
    telemetry = ch.queue_declare(queue="", exclusive=True).method.queue
    ch.queue_bind(queue=telemetry, exchange="amq.topic", routing_key="telemetry.*.temp")
    ch.queue_declare(queue="gateway-commands", durable=True)

    bridge = tmp_path / "bridge.yaml"
    bridge.write_text(f"""name: rabbit
uplink:
  addresses: [127.0.0.1:{rabbit}]
  username: guest
  password: guest
  container_id: {uid('gw')}
forward:
  - filter: sensors/+/temp
    address: /exchange/amq.topic/telemetry.{{1}}.temp
downstream:
  - address: /queue/gateway-commands
    topic: devices/all/cmd
""")
    broker = make_broker(bridges=[str(bridge)])
    sub = peers.connected(broker, uid("dev"))
    sub.subscribe("devices/+/cmd", qos=1)

    pub = raw.RawClient(broker.host, broker.port)
    assert pub.connect(uid("pub"), version=raw.MQTT5).code == 0
    props = [(raw.CONTENT_TYPE, "application/json"), (raw.USER_PROPERTY, ("site", "north"))]
    for i in range(5):
        pub.send(raw.publish("sensors/k7/temp", f'{{"t":{i}}}', qos=1, packet_id=i + 1, version=raw.MQTT5, props=props))
        assert pub.recv_type(raw.PUBACK).type == raw.PUBACK
    pub.close()

    got = []

    def drain():
        method, header, body = ch.basic_get(queue=telemetry, auto_ack=True)
        if method:
            got.append((method, header, body))
        return len(got) >= 5

    assert wait_until(drain, timeout=30), f"RabbitMQ got {len(got)} of 5"
    method, header, body = got[0]
    assert body == b'{"t":0}'
    assert method.routing_key == "telemetry.k7.temp"
    assert [b for _, _, b in got] == [f'{{"t":{i}}}'.encode() for i in range(5)]
    assert header.delivery_mode == 2, "forwarded as durable"
    # RabbitMQ 3.10 hands AMQP 1.0 sections to 0-9-1 consumers as their encoded bytes.
    app = header.headers["x-amqp-1.0-app-properties"]
    for part in (b"mqtt-topic", b"sensors/k7/temp", b"site", b"north"):
        assert part in app, (part, app)
    amqp_props = header.headers["x-amqp-1.0-properties"]
    assert b"sensors/k7/temp" in amqp_props and b"application/json" in amqp_props

    # A command published in RabbitMQ reaches the MQTT subscriber through the downstream rule.
    ch.basic_publish(exchange="", routing_key="gateway-commands", body=b"reboot",
                     properties=pika.BasicProperties(delivery_mode=2))
    msgs = sub.wait_messages(1, timeout=30)
    assert (msgs[0].topic, msgs[0].payload) == ("devices/all/cmd", b"reboot")
    conn.close()
