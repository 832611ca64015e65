"""The AMQP 1.0 bridge against real upstream peers: qpid-proton's C example broker (an active/standby
pair of them) and python-qpid-proton as the upstream consumer and command sender.
"""
import os
import re
import signal
import socket
import sys
import subprocess
import threading
import time

import pytest

import mqttraw as raw
from conftest import IS_MOSQUITTO, free_port, kill_pid, uid, wait_until

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the bridge is Pier's")

from proton import Message as ProtonMessage  # noqa: E402
from proton.utils import BlockingConnection  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTON_BROKER = os.environ.get("PROTON_BROKER", os.path.join(REPO, ".build-peers", "proton-broker"))


class ProtonBroker:
    """qpid-proton's in-memory C example broker on a fixed port, restartable, stopped by PID."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.proc = None

    def start(self):
        assert os.access(PROTON_BROKER, os.X_OK), f"{PROTON_BROKER} missing: run scripts/build-proton-broker.sh"
        self.proc = subprocess.Popen([PROTON_BROKER, "127.0.0.1", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_until(self._accepts, timeout=10), "proton broker did not listen"
        return self

    def _accepts(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def stop(self):
        if self.proc:
            kill_pid(self.proc)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"


class Collector(threading.Thread):
    """Receives from one upstream address until stopped, reconnecting while the broker is down."""

    def __init__(self, broker: ProtonBroker, address: str):
        super().__init__(daemon=True)
        self.broker, self.address = broker, address
        self.messages: list[ProtonMessage] = []
        self.lock = threading.Lock()
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            try:
                conn = BlockingConnection(self.broker.address, timeout=2)
                rcv = conn.create_receiver(self.address, credit=500)
                while not self.halt.is_set():
                    try:
                        m = rcv.receive(timeout=0.3)
                    except Exception as exc:  # Timeout, or the connection died with the broker
                        if "Timeout" in type(exc).__name__:
                            continue
                        raise
                    with self.lock:
                        self.messages.append(m)
                conn.close()
            except Exception:
                time.sleep(0.2)

    def payloads(self):
        with self.lock:
            return [bytes(m.body) for m in self.messages]

    def wait_for(self, n, timeout=30):
        """Waits for n distinct payloads (at-least-once delivery may repeat some)."""
        return wait_until(lambda: len(set(self.payloads())) >= n, timeout=timeout)

    def stop(self):
        self.halt.set()
        self.join(timeout=10)


@pytest.fixture
def proton():
    started = []

    def make(port=None):
        b = ProtonBroker(port).start()
        started.append(b)
        return b

    yield make
    for b in started:
        b.stop()


@pytest.fixture
def collectors():
    made = []

    def make(broker, address):
        c = Collector(broker, address)
        c.start()
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()


def bridged_broker(make_broker, tmp_path, addresses, extra=""):
    bridge = tmp_path / "bridge.yaml"
    lines = "\n".join(f"    - {a}" for a in addresses)
    bridge.write_text(f"""name: up
uplink:
  addresses:
{lines}
  container_id: {uid('gw')}
  reconnect_initial_delay_ms: 100
  reconnect_max_delay_ms: 500
  failback_after: 2
forward:
  - filter: sensors/+/temp
    address: telemetry.{{1}}.temp
  - filter: line/#
    address: line.{{#}}
downstream:
  - address: commands.gw
    topic: devices/{{subject}}/cmd
{extra}""")
    return make_broker(bridges=[str(bridge)])


def publish_qos1(broker, topic, payloads, retain=False, props=None, pause=0.0):
    c = raw.RawClient(broker.host, broker.port, timeout=10)
    assert c.connect(uid("pub"), version=raw.MQTT5).code == 0
    for i, p in enumerate(payloads):
        c.send(raw.publish(topic, p, qos=1, retain=retain, packet_id=i % 60000 + 1, version=raw.MQTT5, props=props))
        assert c.recv_type(raw.PUBACK, timeout=30).type == raw.PUBACK
        if pause:
            time.sleep(pause)
    c.close()


def sys_value(broker, key, timeout=10):
    c = raw.RawClient(broker.host, broker.port, timeout=timeout)
    assert c.connect(uid("sys"), version=raw.MQTT5).code == 0
    c.subscribe(f"$SYS/broker/bridge/up/{key}", 0, version=raw.MQTT5)
    m = raw.parse_publish(c.recv_type(raw.PUBLISH, timeout=timeout), raw.MQTT5)
    c.close()
    return m.payload.decode()


def test_forward_remaps_topics_and_keeps_payload_and_properties(make_broker, tmp_path, proton, collectors):
    up = proton()
    broker = bridged_broker(make_broker, tmp_path, [up.address])
    got = collectors(up, "telemetry.k7.temp")
    props = [(raw.CONTENT_TYPE, "application/json"), (raw.USER_PROPERTY, ("site", "north"))]
    publish_qos1(broker, "sensors/k7/temp", [b'{"t":21.5}'], props=props)
    publish_qos1(broker, "sensors/k7/temp", [b'{"t":22.0}'], retain=True)
    assert got.wait_for(2), got.payloads()
    first, second = got.messages[:2]
    assert bytes(first.body) == b'{"t":21.5}'
    assert first.subject == "sensors/k7/temp"
    assert first.content_type == "application/json"
    assert first.properties["site"] == "north"
    assert first.properties["mqtt-topic"] == "sensors/k7/temp"
    # Remapping applies to retained messages too.
    assert bytes(second.body) == b'{"t":22.0}' and second.properties.get("mqtt-retain") is True


def test_store_and_forward_survives_outage_and_kill9_mid_drain(make_broker, tmp_path, proton, collectors):
    port = free_port()
    broker = bridged_broker(make_broker, tmp_path, [f"127.0.0.1:{port}"], extra="drain_rate: 30\n")
    n = 300
    for topic in ("line/a", "line/b", "line/c"):
        publish_qos1(broker, topic, [f"{topic}:{i}".encode() for i in range(n // 3)])
    assert wait_until(lambda: sys_value(broker, "backlog/messages") == str(n), timeout=15)
    time.sleep(2)
    assert wait_until(lambda: int(sys_value(broker, "backlog/oldest-age").split()[0]) >= 1, timeout=10), \
        "the backlog's age is reported"
    up = proton(port)
    got = {t: collectors(up, "line." + t[-1]) for t in ("line/a", "line/b", "line/c")}
    # The backlog drains at 30/s, about 10 s; the bridge's $SYS figures are refreshed every 5 s. Kill once
    # some of it has provably gone upstream and some provably has not.
    assert wait_until(lambda: int(sys_value(broker, "forwarded")) > 0, timeout=15), "nothing was forwarded"
    assert int(sys_value(broker, "backlog/messages")) > 0, "the drain finished before the kill"
    broker.kill9()  # Pier dies mid-drain
    broker.start()
    for topic, c in got.items():
        assert c.wait_for(n // 3, timeout=30), f"{topic}: {len(c.payloads())} of {n // 3}"
        seen = []
        for p in c.payloads():
            if p not in seen:
                seen.append(p)
        # Everything arrives, and in order per topic (a resend after the kill may repeat a tail).
        assert seen == [f"{topic}:{i}".encode() for i in range(n // 3)]


def test_failover_to_standby_and_failback_without_flapping(make_broker, tmp_path, proton, collectors):
    active, standby = proton(), proton()
    broker = bridged_broker(make_broker, tmp_path, [active.address, standby.address])
    on_active = collectors(active, "telemetry.d.temp")
    on_standby = collectors(standby, "telemetry.d.temp")
    assert wait_until(lambda: sys_value(broker, "connected") == active.address, timeout=10)
    sent = [f"m{i}".encode() for i in range(300)]
    killer = threading.Timer(0.5, active.kill)
    killer.start()
    publish_qos1(broker, "sensors/d/temp", sent, pause=0.003)  # about a second of publishing: the kill lands mid-stream
    killer.join()
    assert wait_until(lambda: set(sent) <= set(on_active.payloads()) | set(on_standby.payloads()), timeout=30), \
        f"missing {len(set(sent) - set(on_active.payloads()) - set(on_standby.payloads()))} of {len(sent)}"
    assert on_standby.payloads(), "the kill came after the last message: nothing was tested"
    assert wait_until(lambda: sys_value(broker, "connected") == standby.address, timeout=10)
    # The primary comes back; after failback_after (2 s) of health the bridge returns, once.
    active.start()
    assert wait_until(lambda: sys_value(broker, "connected") == active.address, timeout=20)
    later = [f"late{i}".encode() for i in range(20)]
    publish_qos1(broker, "sensors/d/temp", later)
    assert wait_until(lambda: set(later) <= set(on_active.payloads()), timeout=20)
    time.sleep(3)
    assert sys_value(broker, "connected") == active.address
    assert broker.stderr().count("failing back") == 1, "the bridge flapped"


@pytest.mark.parametrize("policy,kept", [("drop-newest", range(0, 10)), ("drop-oldest", range(10, 20))])
def test_overflow_drops_as_configured_and_counts(make_broker, tmp_path, proton, collectors, policy, kept):
    port = free_port()
    broker = bridged_broker(make_broker, tmp_path, [f"127.0.0.1:{port}"],
                            extra=f"buffer:\n  max_messages: 10\n  overflow: {policy}\n")
    publish_qos1(broker, "line/x", [f"{i}".encode() for i in range(20)])
    assert wait_until(lambda: sys_value(broker, "dropped") == "10", timeout=15)
    assert "bridge buffer full: messages dropped" in broker.stderr()
    up = proton(port)
    got = collectors(up, "line.x")
    assert got.wait_for(10, timeout=30)
    time.sleep(1)
    assert got.payloads() == [f"{i}".encode() for i in kept]


def test_block_publishers_holds_acknowledgements_until_the_uplink_drains(make_broker, tmp_path, proton, collectors):
    port = free_port()
    broker = bridged_broker(make_broker, tmp_path, [f"127.0.0.1:{port}"],
                            extra="buffer:\n  max_messages: 5\n  overflow: block-publishers\n")
    publish_qos1(broker, "line/b", [f"{i}".encode() for i in range(5)])
    c = raw.RawClient(broker.host, broker.port, timeout=10)
    assert c.connect(uid("blocked"), version=raw.MQTT5).code == 0
    c.send(raw.publish("line/b", b"5", qos=1, packet_id=9, version=raw.MQTT5))
    with pytest.raises(socket.timeout):
        c.recv_type(raw.PUBACK, timeout=2)
    up = proton(port)
    got = collectors(up, "line.b")
    assert c.recv_type(raw.PUBACK, timeout=20).type == raw.PUBACK
    assert got.wait_for(6, timeout=20)
    c.close()


def test_downstream_commands_reach_mqtt_subscribers(make_broker, tmp_path, proton, peers):
    up = proton()
    broker = bridged_broker(make_broker, tmp_path, [up.address])
    sub = peers.connected(broker, uid("dev"))
    sub.subscribe("devices/+/cmd", qos=1)
    assert wait_until(lambda: sys_value(broker, "connected") == up.address, timeout=10)
    conn = BlockingConnection(up.address, timeout=10)
    snd = conn.create_sender("commands.gw")
    snd.send(ProtonMessage(body=b"reboot", subject="valve-3", properties={"by": "ops"}))
    conn.close()
    msgs = sub.wait_messages(1, timeout=20)
    assert msgs[0].topic == "devices/valve-3/cmd"
    assert msgs[0].payload == b"reboot"


class Judge:
    """Tests/interop/proton_judge.py as a process: a python-qpid-proton upstream that rejects, releases or
    modifies transfers by subject, and reports every settlement it makes."""

    def __init__(self):
        self.port = free_port()
        self.lines: list[str] = []
        self.proc = subprocess.Popen([os.environ.get("PYTHON", sys.executable), os.path.join(os.path.dirname(__file__), "proton_judge.py"),
                                      str(self.port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        assert wait_until(lambda: "LISTENING" in self.lines, timeout=15), self.lines

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def settled(self, outcome):
        return [tuple(line.split(" ", 2)[1:]) for line in list(self.lines) if line.split(" ", 1)[0] == outcome]

    def stop(self):
        kill_pid(self.proc)


@pytest.fixture
def judge():
    j = Judge()
    yield j
    j.stop()


def test_rejected_goes_to_the_dead_letter_topic_and_released_or_modified_is_retried(make_broker, tmp_path, judge, peers):
    bridge = tmp_path / "bridge.yaml"
    bridge.write_text(f"""name: judged
uplink:
  addresses: [127.0.0.1:{judge.port}]
forward:
  - filter: plant/#
    address: telemetry
""")
    broker = make_broker(bridges=[str(bridge)])
    dead = peers.connected(broker, uid("dl"))
    dead.subscribe("$SYS/broker/bridge/judged/dead-letter", qos=1)
    counter = peers.connected(broker, uid("ctr"))
    counter.subscribe("$SYS/broker/bridge/judged/dead-letters")

    sent = [("plant/a/ok", "1"), ("plant/a/reject", "2"), ("plant/a/release", "3"), ("plant/a/modify", "4"),
            ("plant/a/ok", "5"), ("plant/b/reject", "6")]
    pub = raw.RawClient(broker.host, broker.port)
    assert pub.connect(uid("pub"), version=raw.MQTT5).code == 0
    for i, (topic, body) in enumerate(sent):
        pub.send(raw.publish(topic, body, qos=1, packet_id=i + 1, version=raw.MQTT5))
        assert pub.recv_type(raw.PUBACK).type == raw.PUBACK
    pub.close()

    # Every message not rejected is accepted upstream exactly once more after its release or modification.
    want_accepted = {("plant/a/ok", "1"), ("plant/a/release", "3"), ("plant/a/modify", "4"), ("plant/a/ok", "5")}
    assert wait_until(lambda: set(judge.settled("accepted")) == want_accepted, timeout=30), judge.lines
    assert judge.settled("released") == [("plant/a/release", "3")]
    assert judge.settled("modified") == [("plant/a/modify", "4")]
    assert sorted(judge.settled("rejected")) == [("plant/a/reject", "2"), ("plant/b/reject", "6")], judge.lines

    # Rejected ones come back locally on the dead-letter topic, with where they were going, and are counted.
    got = dead.wait_messages(2, timeout=15)
    assert sorted(m.payload for m in got) == [b"2", b"6"]
    originals = sorted(dict(m.properties.UserProperty).get("original-topic") for m in got)
    assert originals == ["plant/a/reject", "plant/b/reject"]
    assert wait_until(lambda: any(m.payload == b"2" for m in counter.received()), timeout=15), \
        [m.payload for m in counter.received()]
    # Settled means done: nothing is sent again once the cursor has moved past it.
    time.sleep(1)
    assert len(judge.settled("rejected")) == 2 and len(judge.settled("accepted")) == 4, judge.lines
    broker.assert_alive()
