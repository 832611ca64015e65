"""`/metrics` after known traffic: MQTT publishes through mosquitto_pub to a paho subscriber, STOMP
sends to a queue with some consumed and acked, a refused login. The exposition is parsed with
prometheus_client's own parser (which rejects malformed text), the counters must match the traffic
exactly, and `$SYS` (read by a fresh MQTT client once the broker is quiet) and `/api/broker` must show
the same numbers, since all three read one registry."""

from __future__ import annotations

import subprocess
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from conftest import HOST, IS_MOSQUITTO, PahoClient, _accepts, free_port, mosquitto_pub, uid, wait_until
from stomp_support import StompTarget, open_connection
from test_29_admin_api import ADMIN, admin_auth

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="/metrics is Pier's")

MQTT_PUBLISHES = 7
QUEUE_SENDS = 5
QUEUE_ACKED = 3


class Scrape:
    """One parsed exposition: samples by (name, labels)."""

    def __init__(self, text: str):
        self.text = text
        self.families = {f.name: f for f in text_string_to_metric_families(text)}
        self.samples = [s for f in self.families.values() for s in f.samples]

    def value(self, name: str, **labels) -> float:
        found = [s.value for s in self.samples if s.name == name and s.labels == labels]
        assert len(found) == 1, f"{name}{labels}: {found}\n{self.text}"
        return found[0]

    def sum(self, name: str, **labels) -> float:
        return sum(s.value for s in self.samples
                   if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def scrape(port: int, auth=ADMIN) -> Scrape:
    r = requests.get(f"http://{HOST}:{port}/metrics", auth=auth, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
    return Scrape(r.text)


@pytest.fixture
def metrics_broker(make_broker, tmp_path):
    auth = admin_auth(tmp_path, "topic readwrite #\n\nuser alice\ntopic readwrite #\ntopic read $SYS/#\nadmin\n")
    stomp_port, http_port = free_port(), free_port()
    broker = make_broker(
        **auth,
        extra_listeners=[{"name": "stomp-in", "protocol": "stomp", "transport": "tcp", "bind": HOST, "port": stomp_port}],
        extra_config={"http": {"bind": HOST, "port": http_port}})
    assert wait_until(lambda: _accepts(HOST, http_port), 10), broker.stderr()
    return broker, StompTarget(HOST, stomp_port, broker=broker), http_port


def sys_values(broker) -> dict[str, str]:
    """The retained `$SYS/broker/...` values a new subscriber is given at once."""
    client = PahoClient(broker, version=4, username=ADMIN[0], password=ADMIN[1])
    client.connect()
    client.subscribe("$SYS/broker/#", qos=0)
    assert wait_until(lambda: len(client.messages) >= 15, 10), [m.topic for m in client.messages]
    time.sleep(0.3)
    values: dict[str, str] = {}
    for m in client.messages:
        if m.retain:
            values.setdefault(m.topic.removeprefix("$SYS/broker/"), m.payload.decode())
    client.disconnect()
    return values


def test_counters_match_the_traffic_and_sys_and_the_api_agree(metrics_broker):
    broker, stomp, http_port = metrics_broker
    listeners = {l["protocol"]: l["name"] for l in requests.get(f"http://{HOST}:{http_port}/api/listeners",
                                                                auth=ADMIN, timeout=10).json()}
    mqtt_listener, stomp_listener = listeners["mqtt"], listeners["stomp"]
    before = scrape(http_port)
    assert before.value("pier_clients_connected") == 0
    assert before.value("pier_ha_role", role="active") == 1

    # ---- MQTT: QoS 1 publishes, each from its own mosquitto_pub, to one paho subscriber
    topic = f"metrics/{uid('t')}"
    sub = PahoClient(broker, version=4)
    sub.connect()
    sub.subscribe(topic, qos=1)
    for i in range(MQTT_PUBLISHES):
        mosquitto_pub(broker, topic, f"m{i}", qos=1)
    assert wait_until(lambda: len(sub.messages) == MQTT_PUBLISHES, 10)
    # A login with a wrong password is refused (the listener allows anonymous, not bad credentials).
    bad = subprocess.run(["mosquitto_pub", "-h", HOST, "-p", str(broker.port), "-t", topic, "-m", "x",
                          "-u", "alice", "-P", "wrong"], capture_output=True, timeout=15)
    assert bad.returncode != 0

    # ---- STOMP: persistent sends to a queue; some consumed with client acks
    queue = uid("mq")
    conn, _ = open_connection(stomp)
    for i in range(QUEUE_SENDS):
        conn.send(f"/queue/{queue}", f"q{i}", headers={"persistent": "true", "receipt": f"r{i}"})
    consumer, seen = open_connection(stomp)
    consumer.subscribe(f"/queue/{queue}", id="1", ack="client-individual", headers={"activemq.prefetchSize": str(QUEUE_ACKED)})
    got = seen.wait_messages(QUEUE_ACKED)[:QUEUE_ACKED]
    assert len(got) == QUEUE_ACKED, (seen.errors, broker.stderr()[-3000:])
    for m in got:
        consumer.ack(m.headers["ack"])
    assert wait_until(lambda: scrape(http_port).value("pier_queue_dequeued_total", queue=queue) == QUEUE_ACKED, 10), \
        [(e.headers, e.body) for e in seen.errors]
    consumer.disconnect()
    conn.disconnect()
    sub.disconnect()
    # Sessions detach at DISCONNECT; the sockets close a moment later.
    assert wait_until(lambda: scrape(http_port).value("pier_clients_connected") == 0
                      and scrape(http_port).sum("pier_listener_connections") == 0, 10)

    # ---- the exposition, exactly
    m = scrape(http_port)
    mq = {"listener": mqtt_listener, "protocol": "mqtt"}
    st = {"listener": stomp_listener, "protocol": "stomp"}
    assert m.value("pier_messages_received_total") == MQTT_PUBLISHES
    assert m.value("pier_listener_messages_received_total", **mq) == MQTT_PUBLISHES
    assert m.value("pier_listener_messages_sent_total", **mq) == MQTT_PUBLISHES
    assert m.value("pier_listener_messages_received_total", **st) == QUEUE_SENDS
    # prefetch holds the two unacked ones at the consumer until it disconnects: 5 were delivered.
    assert m.value("pier_listener_messages_sent_total", **st) == QUEUE_SENDS
    # The subscriber and each publisher: one login each; the wrong password is one refusal.
    assert m.value("pier_listener_connects_total", **mq) == MQTT_PUBLISHES + 1
    assert m.value("pier_listener_refusals_total", **mq, reason="bad_credentials") == 1
    assert m.value("pier_listener_refusals_total", **mq, reason="not_authorized") == 0
    assert m.value("pier_listener_connects_total", **st) == 2
    assert m.value("pier_listener_connections", **mq) == 0 and m.value("pier_listener_connections", **st) == 0
    assert m.value("pier_clients_maximum") >= 2
    assert m.value("pier_listener_received_bytes_total", **mq) > 0 and m.value("pier_listener_sent_bytes_total", **st) > 0
    assert m.value("pier_queue_enqueued_total", queue=queue) == QUEUE_SENDS
    assert m.value("pier_queue_dequeued_total", queue=queue) == QUEUE_ACKED
    assert m.value("pier_queue_depth", queue=queue) == QUEUE_SENDS - QUEUE_ACKED
    assert m.value("pier_queue_consumers", queue=queue) == 0
    assert m.value("pier_queue_dead_lettered_total", queue=queue) == 0
    # The log took every persistent send and ack; each commit was fsynced (the default policy).
    assert m.value("pier_store_appended_records_total") >= QUEUE_SENDS + QUEUE_ACKED
    assert m.value("pier_store_fsync_duration_seconds_count") > 0
    assert m.value("pier_store_segments") >= 1 and m.value("pier_store_size_bytes") > 0
    assert m.value("pier_store_commit_records_count") > 0
    # Prometheus conventions: counters are `_total`, every family is pier_-prefixed, types are declared.
    for name, family in m.families.items():
        assert name.startswith("pier_"), name
        if family.type == "counter":
            assert all(s.name.endswith(("_total", "_created")) for s in family.samples), family
        assert family.type in ("counter", "gauge", "histogram"), family

    # ---- $SYS, published while the broker was quiet, and /api/broker: the same numbers
    time.sleep(2.5)  # at least two `$SYS` intervals with nobody connected
    quiet = scrape(http_port)
    sys = sys_values(broker)
    expect = {
        "messages/received": quiet.value("pier_messages_received_total"),
        "messages/sent": quiet.sum("pier_listener_messages_sent_total"),
        "bytes/received": quiet.sum("pier_listener_received_bytes_total"),
        "bytes/sent": quiet.sum("pier_listener_sent_bytes_total"),
        "clients/connected": quiet.value("pier_clients_connected"),
        "clients/maximum": quiet.value("pier_clients_maximum"),
        "clients/total": quiet.value("pier_sessions"),
        "retained messages/count": quiet.value("pier_retained_messages"),
        "queues/enqueued": quiet.sum("pier_queue_enqueued_total"),
        "queues/dequeued": quiet.sum("pier_queue_dequeued_total"),
    }
    for key, value in expect.items():
        assert sys.get(key) == str(int(value)), f"$SYS/broker/{key}: {sys.get(key)} vs /metrics {value}"
    assert sys["messages/received"] == str(MQTT_PUBLISHES)
    api = requests.get(f"http://{HOST}:{http_port}/api/broker", auth=ADMIN, timeout=10).json()
    assert api["messages_received"] == MQTT_PUBLISHES
    assert api["queue_enqueued"] == quiet.sum("pier_queue_enqueued_total")
    assert api["queue_acknowledged"] == quiet.sum("pier_queue_dequeued_total")
    broker.assert_alive()


def test_metrics_need_the_admin_grant(metrics_broker):
    _, _, http_port = metrics_broker
    assert requests.get(f"http://{HOST}:{http_port}/metrics", timeout=10).status_code == 401
    assert requests.get(f"http://{HOST}:{http_port}/metrics", auth=("alice", "nope"), timeout=10).status_code == 401
    assert requests.post(f"http://{HOST}:{http_port}/metrics", auth=ADMIN, timeout=10).status_code == 405


def test_queue_series_leave_with_their_queue_and_scraping_is_cheap_to_repeat(metrics_broker):
    broker, stomp, http_port = metrics_broker
    # A durable subscription's queue goes away with the subscription, and its series with it.
    conn, _ = open_connection(stomp, client_id=uid("dur"))
    conn.subscribe("/topic/metrics.durable", id="d1", headers={"activemq.subscriptionName": "s1"})
    assert wait_until(lambda: any(s.name == "pier_queue_depth" and "s1" in s.labels.get("queue", "")
                                  for s in scrape(http_port).samples), 10)
    conn.unsubscribe("d1", headers={"activemq.subscriptionName": "s1"})
    conn.disconnect()
    assert wait_until(lambda: not any("s1" in s.labels.get("queue", "") for s in scrape(http_port).samples), 10)
    for _ in range(50):
        scrape(http_port)
    broker.assert_alive()
