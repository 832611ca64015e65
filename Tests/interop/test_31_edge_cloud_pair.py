"""Pier at both ends: an edge Pier bridging to a cloud Pier active/standby pair over AMQP 1.0.

The cloud pair is two `pier serve` processes on one shared data directory, each with its own
`amqp` listener port (SASL PLAIN against a password file), so the edge's bridge has two uplink
addresses and only the active's accepts. A QoS 1 publisher sends to the edge at a steady rate; the
active cloud node is killed with SIGKILL mid-stream; the standby takes over the log and starts
listening, and the bridge moves to it. Afterwards every message the edge PUBACKed must be consumed
from the cloud pair with python-qpid-proton. Duplicates (transfers sent again because their
`accepted` was lost with the killed node) are allowed, counted and reported; none may be lost.
Runs over plain amqp and over amqps (the bridge verifies the cloud's certificate with its CA).
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest
import yaml

import mqttraw as raw
from conftest import HOST, IS_MOSQUITTO, free_port, kill_pid, uid, wait_until
from pki import make_pki

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the AMQP server and the bridge are Pier's")

from proton import SSLDomain  # noqa: E402
from proton.utils import BlockingConnection  # noqa: E402

# As in test_22_ha: fast polling, and a lease timeout no loaded CI machine stalls a renewal for.
FAST_HA = {"poll_ms": 100, "lease_ms": 100, "lease_timeout_ms": 3000}
USER, PASSWORD = "gateway-7", "edge-secret"
QUEUE = "queue://edge.data"
RATE = 400            # QoS 1 publishes per second at the edge
BEFORE_KILL = 2.0     # seconds of publishing before the active cloud node is killed
AFTER_KILL = 2.5      # and after


@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="pier-pki-")
    yield make_pki(d)
    shutil.rmtree(d, ignore_errors=True)


class CloudNode:
    """One `pier serve` of the cloud pair: its own config and AMQP port, the pair's data directory."""

    def __init__(self, workdir, name, data_dir, password_file, tls):
        self.port = free_port()
        self.log_path = os.path.join(workdir, f"{name}.stderr")
        listener = {"protocol": "amqp", "transport": "tls" if tls else "tcp", "bind": HOST, "port": self.port,
                    "allow_anonymous": False}
        if tls:
            listener["tls"] = {"cert_file": tls["cert"], "key_file": tls["key"]}
        config = {"data_dir": data_dir, "listeners": [listener], "auth": {"password_file": password_file},
                  "ha": FAST_HA}
        self.config_path = os.path.join(workdir, f"{name}.yaml")
        with open(self.config_path, "w") as f:
            yaml.safe_dump(config, f, sort_keys=False)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([os.environ["PIER_BIN"], "serve", "--config", self.config_path],
                                     stdout=subprocess.DEVNULL, stderr=self._log, stdin=subprocess.DEVNULL, cwd=workdir)

    def stderr(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    @property
    def role(self):
        roles = re.findall(r"role: (\w+)", self.stderr())
        return roles[-1] if roles else None

    def accepting(self):
        try:
            socket.create_connection((HOST, self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    @property
    def address(self):
        return f"{HOST}:{self.port}"

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=5)

    def stop(self):
        kill_pid(self.proc)
        self._log.close()


class PacedPublisher(threading.Thread):
    """QoS 1 publishes at a fixed rate on one MQTT 5 connection; records the payloads PUBACKed with success."""

    def __init__(self, broker, topic, rate):
        super().__init__(daemon=True)
        self.broker, self.topic, self.interval = broker, topic, 1.0 / rate
        self.acked: list[bytes] = []
        self.refused: list[tuple[bytes, int]] = []
        self.inflight: dict[int, bytes] = {}
        self.halt = threading.Event()
        self.failure = None

    def run(self):
        try:
            self._run()
        except BaseException as exc:  # noqa: BLE001 - re-raised by the test
            self.failure = exc

    def _run(self):
        c = raw.RawClient(self.broker.host, self.broker.port, timeout=5)
        assert c.connect(uid("edge-pub"), version=raw.MQTT5).code == 0
        seq, next_send = 0, time.monotonic()
        while not self.halt.is_set() or self.inflight:
            now = time.monotonic()
            if not self.halt.is_set() and now >= next_send and len(self.inflight) < 1000:
                seq += 1
                payload, pid = f"m-{seq:06d}".encode(), seq % 65535 + 1
                self.inflight[pid] = payload
                c.send(raw.publish(self.topic, payload, qos=1, packet_id=pid, version=raw.MQTT5))
                next_send += self.interval
                continue
            try:
                p = c.recv(timeout=max(0.0005, min(next_send - now, 0.05)))
            except socket.timeout:
                if self.halt.is_set() and time.monotonic() > self.drain_deadline:
                    break
                continue
            if p.type == raw.PUBACK:
                pid, reason = raw.parse_ack(p)
                payload = self.inflight.pop(pid)
                (self.acked.append(payload) if reason == 0 else self.refused.append((payload, reason)))
        c.close()

    def stop(self):
        self.drain_deadline = time.monotonic() + 10
        self.halt.set()
        self.join(timeout=20)
        if self.failure:
            raise AssertionError(f"publisher failed: {self.failure!r}") from self.failure


def consume_all(node, expected: set[bytes], ssl_domain, timeout=20.0) -> list[bytes]:
    """Everything on the cloud queue: until every expected body is in, then 1 s more to catch late duplicates."""
    url = f"amqps://{node.address}" if ssl_domain else f"amqp://{node.address}"
    # The name checked against the certificate: proton matches only DNS names, and it carries localhost too.
    conn = BlockingConnection(url, timeout=5, ssl_domain=ssl_domain, user=USER, password=PASSWORD,
                              virtual_host="localhost" if ssl_domain else None,
                              allowed_mechs="PLAIN", allow_insecure_mechs=ssl_domain is None)
    got: list[bytes] = []
    try:
        rcv = conn.create_receiver(QUEUE, credit=500)
        deadline, quiet_until = time.monotonic() + timeout, None
        while time.monotonic() < deadline and (quiet_until is None or time.monotonic() < quiet_until):
            try:
                m = rcv.receive(timeout=0.5)
            except Exception:  # proton's Timeout: nothing arrived in the last half second
                continue
            rcv.accept()
            body = m.body
            # The bridge forwards the MQTT payload as one data section, which proton hands over as a memoryview.
            got.append(bytes(body) if isinstance(body, (bytes, memoryview)) else str(body).encode())
            if quiet_until is None and expected <= set(got):
                quiet_until = time.monotonic() + 1.0
    finally:
        conn.close()
    return got


def run_failover(tmp_path, make_broker, pki=None):
    work = str(tmp_path)
    password_file = os.path.join(work, "cloud.passwd")
    r = subprocess.run([os.environ["PIER_BIN"], "passwd", "-c", "-b", password_file, USER, PASSWORD],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    data_dir = os.path.join(work, "cloud-data")
    tls = {"cert": pki["cert"], "key": pki["key"]} if pki else None
    nodes = []
    try:
        nodes.append(CloudNode(work, "cloud-a", data_dir, password_file, tls))
        assert wait_until(lambda: nodes[0].role == "active" and nodes[0].accepting(), timeout=15), nodes[0].stderr()
        nodes.append(CloudNode(work, "cloud-b", data_dir, password_file, tls))
        assert wait_until(lambda: nodes[1].role == "standby", timeout=15), nodes[1].stderr()
        active, standby = nodes

        bridge = tmp_path / "bridge.yaml"
        tls_yaml = f"\n  tls:\n    ca_file: {pki['ca']}\n    verify: true" if pki else ""
        bridge.write_text(f"""name: cloud-pair
uplink:
  addresses: ["{active.address}", "{standby.address}"]
  username: {USER}
  password: {PASSWORD}
  container_id: {uid('edge')}
  reconnect_initial_delay_ms: 100
  reconnect_max_delay_ms: 500
  failback_after: 600{tls_yaml}
forward:
  - filter: edge/+/data
    address: {QUEUE}
    qos: 1
""")
        edge = make_broker(bridges=[str(bridge)])
        publisher = PacedPublisher(edge, "edge/sensor-1/data", RATE)
        publisher.start()
        time.sleep(BEFORE_KILL)
        active.kill9()
        killed_after = len(publisher.acked)
        assert wait_until(lambda: standby.role == "active" and standby.accepting(), timeout=15), standby.stderr()
        time.sleep(AFTER_KILL)
        publisher.stop()
        edge.assert_alive()

        # The bridge really moved to the standby's own address (and over TLS for amqps).
        moved = rf"address={re.escape(standby.address)} bridge=cloud-pair transport=(\w+) \[PierBridge\] bridge connected"
        transports = re.findall(moved, edge.stderr())
        assert transports, f"the edge never connected to the standby:\n{edge.stderr()}"
        print(f"\nedge bridge connected to the standby over {transports[-1]}")
        acked = set(publisher.acked)
        assert len(acked) == len(publisher.acked), "the edge PUBACKed a payload twice"
        assert not publisher.refused, f"the edge refused publishes: {publisher.refused[:5]}"
        assert killed_after > 0 and len(acked) > killed_after, "the stream did not span the kill"
        ssl_domain = None
        if pki:
            ssl_domain = SSLDomain(SSLDomain.MODE_CLIENT)
            ssl_domain.set_trusted_ca_db(pki["ca"])
            ssl_domain.set_peer_authentication(SSLDomain.VERIFY_PEER_NAME)
        got = consume_all(standby, acked, ssl_domain)
        missing = acked - set(got)
        duplicates = len(got) - len(set(got))
        print(f"\nedge→cloud pair over {'amqps' if pki else 'amqp'}: {len(acked)} PUBACKed at the edge "
              f"({killed_after} before the kill), {len(got)} consumed from the cloud, "
              f"{duplicates} duplicates, {len(missing)} lost")
        assert not missing, f"{len(missing)} PUBACKed messages never reached the cloud, e.g. {sorted(missing)[:5]}\n" \
                            f"edge:\n{edge.stderr()[-2000:]}\nstandby:\n{standby.stderr()[-2000:]}"
        sent = acked | {p for p, _ in publisher.refused} | set(publisher.inflight.values())
        assert set(got) <= sent, f"the cloud holds messages never published: {sorted(set(got) - sent)[:5]}"
    finally:
        for n in nodes:
            n.stop()


def test_edge_bridge_fails_over_to_the_standby_cloud_pier_over_amqp(tmp_path, make_broker):
    run_failover(tmp_path, make_broker)


def test_edge_bridge_fails_over_to_the_standby_cloud_pier_over_amqps(tmp_path, make_broker, pki):
    run_failover(tmp_path, make_broker, pki)
