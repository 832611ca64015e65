"""Active/standby pairs: two or three real `pier serve` processes on one data directory and one port,
with real OFD locks, real kill -9 and real clients (raw MQTT, stomp.py, qpid-proton as the bridge's upstream).
"""
import os
import random
import re
import signal
import subprocess
import threading
import time

import pytest

import mqttraw as raw
from conftest import HOST, IS_MOSQUITTO, free_port, uid, wait_until
from ha_support import Pair, foreign_lease, log_end
from mqtt_durability import SESSION_EXPIRY, V5, Publisher, drain

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the active/standby pair is Pier's")

# A lease timeout well above what a loaded CI machine can stall a renewal thread for (a lapse fences for
# good); takeovers here are on one host and do not wait for it, except the stolen-lease test.
FAST_HA = {"poll_ms": 100, "lease_ms": 100, "lease_timeout_ms": 3000}


@pytest.fixture
def make_pair(tmp_path):
    made = []

    def factory(**kwargs) -> Pair:
        workdir = tmp_path / f"pair{len(made)}"
        workdir.mkdir()
        p = Pair(str(workdir), **kwargs)
        made.append(p)
        return p

    yield factory
    for p in made:
        p.stop()


def sys_role(pair) -> str:
    c = raw.RawClient(pair.host, pair.port, timeout=10)
    assert c.connect(uid("sys"), version=V5).code == 0
    c.subscribe("$SYS/broker/ha/role", 0, version=V5)
    m = raw.parse_publish(c.recv_type(raw.PUBLISH, timeout=10), V5)
    c.close()
    return m.payload.decode()


def publish_qos1(pair, topic, payloads, retain=False):
    c = raw.RawClient(pair.host, pair.port, timeout=10)
    assert c.connect(uid("pub"), version=V5).code == 0
    for i, p in enumerate(payloads):
        c.send(raw.publish(topic, p, qos=1, retain=retain, packet_id=i % 60000 + 1, version=V5))
        assert c.recv_type(raw.PUBACK, timeout=30).type == raw.PUBACK
    c.close()


def persistent_subscriber(pair, topic="kill/#") -> str:
    """A QoS 2 subscription whose session outlives its connection: it queues everything while offline."""
    sub_id = uid("drain")
    s = raw.RawClient(pair.host, pair.port)
    assert s.connect(sub_id, version=V5, clean=False, props=SESSION_EXPIRY).code == 0
    assert s.subscribe(topic, 2, version=V5) == [2]
    s.send(raw.disconnect(version=V5))
    s.close()
    return sub_id


def retained(pair, topic_filter="state/#"):
    c = raw.RawClient(pair.host, pair.port)
    assert c.connect(uid("late"), version=V5).code == 0
    assert c.subscribe(topic_filter, 1, version=V5) == [1]
    m = raw.parse_publish(c.recv_type(raw.PUBLISH), V5)
    c.close()
    return m.topic, m.payload, m.retain


# --------------------------------------------------------------------------- start and stop

def test_two_started_at_once_make_exactly_one_active(make_pair):
    pair = make_pair(ha=FAST_HA)
    a, b = pair.spawn(), pair.spawn()
    assert pair.wait_accepting() is not None
    active = pair.the_active()
    standby = b if active is a else a
    assert standby.wait_role("standby"), standby.stderr()
    time.sleep(1.0)
    assert [n.role for n in pair.live()].count("active") == 1
    # The standby binds nothing and opens no log.
    assert not standby.listening(), standby.stderr()
    assert "state recovered" not in standby.stderr()
    assert sys_role(pair) == "active"
    status = pair.status()
    assert status.returncode == 0, status.stderr
    assert f"active: pid {active.pid} " in status.stdout, status.stdout
    assert "standby: waiting" in status.stdout, status.stdout


def test_a_third_process_also_waits_and_only_one_takes_over(make_pair):
    pair = make_pair(ha=FAST_HA)
    first = pair.spawn()
    assert pair.wait_accepting() is not None and pair.the_active() is first
    second, third = pair.spawn(), pair.spawn()
    assert second.wait_role("standby") and third.wait_role("standby")
    first.kill9()
    assert pair.wait_accepting() is not None
    new = pair.the_active()
    assert new in (second, third)
    time.sleep(1.5)
    assert [n.role for n in pair.live()] .count("active") == 1, [n.roles() for n in pair.nodes]
    other = third if new is second else second
    assert other.alive() and other.role == "standby"


def test_sigterm_hands_over_with_state_intact(make_pair):
    pair = make_pair(ha=FAST_HA)
    a = pair.spawn()
    assert pair.wait_accepting() is not None
    sub_id = persistent_subscriber(pair)
    publish_qos1(pair, "state/config", [b"v1"], retain=True)
    publish_qos1(pair, "kill/data", [f"queued-{i}".encode() for i in range(50)])
    b = pair.spawn()
    assert b.wait_role("standby")
    t0 = time.monotonic()
    os.kill(a.pid, signal.SIGTERM)
    assert a.proc.wait(timeout=10) == 0, a.stderr()
    exited = time.monotonic() - t0
    took = pair.wait_accepting()
    assert took is not None, b.stderr()
    print(f"graceful handover: SIGTERM to exit {exited * 1000:.0f} ms, exit to accepting {took * 1000:.0f} ms")
    assert "role: released" in a.stderr()
    assert re.search(r"reason=lease released by pid %d" % a.pid, b.stderr()), b.stderr()
    assert pair.the_active() is b
    got = drain(pair, sub_id, expected=50)
    assert sorted(m.payload for m in got) == sorted(f"queued-{i}".encode() for i in range(50))
    assert retained(pair) == ("state/config", b"v1", True)


def test_systemd_hears_ready_only_once_the_standby_is_active(make_pair, tmp_path):
    import socket
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    try:
        pair = make_pair(ha=FAST_HA)
        a = pair.spawn()
        assert pair.wait_accepting() is not None
        b = pair.spawn(env={"NOTIFY_SOCKET": path})
        assert b.wait_role("standby")
        heard = []

        def listen(seconds):
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                try:
                    heard.extend(sock.recv(4096).decode().split("\n"))
                except socket.timeout:
                    pass

        listen(1.0)
        assert "READY=1" not in heard, heard
        assert any(h.startswith("STATUS=standby: pid %d " % a.pid) for h in heard), heard
        a.kill9()
        assert pair.wait_accepting() is not None
        listen(0.5)
        assert "READY=1" in heard and "STATUS=active" in heard, heard
    finally:
        sock.close()


def test_refuse_mode_exits_with_a_clear_error(make_pair):
    pair = make_pair(ha={**FAST_HA, "mode": "refuse"})
    a = pair.spawn()
    assert pair.wait_accepting() is not None
    b = pair.spawn()
    assert b.proc.wait(timeout=10) == 2
    assert f"data directory in use by pier pid {a.pid}" in b.stderr(), b.stderr()
    assert a.alive() and pair.the_active() is a


# --------------------------------------------------------------------------- kill -9 under load

ROUNDS = 10
PUBLISHERS = 4


def test_kill9_takeovers_under_qos12_load_lose_nothing_acknowledged(make_pair):
    pair = make_pair(ha=FAST_HA, limits={"max_queued_messages": 1_000_000, "max_inflight": 100})
    pair.spawn()
    assert pair.wait_accepting() is not None
    sub_id = persistent_subscriber(pair)
    publish_qos1(pair, "state/retained", [b"keep-me"], retain=True)
    rng = random.Random(20261201)
    publishers = [Publisher(pair, uid(f"pub{i}")) for i in range(PUBLISHERS)]
    takeovers = []
    for round_no in range(ROUNDS):
        standby = pair.spawn()
        assert standby.wait_role("standby"), standby.stderr()
        threads = [threading.Thread(target=p.run_in_thread, daemon=True) for p in publishers]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.2))
        victim = pair.the_active()
        t0 = time.monotonic()
        os.kill(victim.pid, signal.SIGKILL)
        # Until it is reaped, the victim's own listening socket could still answer the probe.
        victim.proc.wait(timeout=5)
        # Client-side failover: the publishers reconnect to the same port once the standby binds it.
        took = pair.wait_accepting(timeout=15, interval=0.002)
        assert took is not None, f"round {round_no}: no takeover\n{standby.stderr()}"
        takeovers.append(time.monotonic() - t0)
        for t in threads:
            t.join(timeout=15)
            assert not t.is_alive(), "publisher thread hung after the kill"
        for p in publishers:
            p.raise_failure()
        assert pair.the_active() is standby
    print("takeover after kill -9, ms: " + ", ".join(f"{t * 1000:.0f}" for t in takeovers))

    for p in publishers:
        p.settle()
    acked = [payload for p in publishers for _, payload in p.acked]
    qos2_acked = {payload for p in publishers for q, payload in p.acked if q == 2}
    assert len(acked) > 200, f"too little load to mean anything: {len(acked)} acknowledged"
    got = drain(pair, sub_id, expected=len(acked))
    payloads = [m.payload for m in got]
    missing = set(acked) - set(payloads)
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:5]}"
    seen_twice = {m.payload for m in got if m.qos == 2 and payloads.count(m.payload) > 1}
    assert not seen_twice, f"QoS 2 messages delivered twice: {sorted(seen_twice)[:5]}"
    assert retained(pair) == ("state/retained", b"keep-me", True)
    epochs = re.findall(r"epoch (\d+)", pair.status().stdout)
    assert epochs == [str(ROUNDS + 1)], pair.status().stdout


# --------------------------------------------------------------------------- fencing

class Loader(threading.Thread):
    """QoS 1 publishes as fast as PUBACKs come, until the connection dies; remembers what was acknowledged."""

    def __init__(self, pair):
        super().__init__(daemon=True)
        self.pair = pair
        self.acked: list[bytes] = []

    def run(self):
        c = raw.RawClient(self.pair.host, self.pair.port, timeout=5)
        assert c.connect(uid("load"), version=V5).code == 0
        i = 0
        try:
            while True:
                i += 1
                payload = f"load-{i}".encode()
                c.send(raw.publish("kill/load", payload, qos=1, packet_id=i % 60000 + 1, version=V5))
                p = c.recv_type(raw.PUBACK, timeout=5)
                assert raw.parse_ack(p)[1] == 0
                self.acked.append(payload)
        except (OSError, raw.Closed):
            pass


def fence_and_check(pair, node, interfere):
    sub_id = persistent_subscriber(pair)
    loader = Loader(pair)
    loader.start()
    assert wait_until(lambda: len(loader.acked) > 50, 10)
    interfere()
    assert node.proc.wait(timeout=10) == 75, node.stderr()
    loader.join(timeout=10)
    stderr = node.stderr()
    assert "role: fenced" in stderr and "fenced: no further writes" in stderr, stderr
    # Nothing was appended after the fence: the log ends where the fenced process said it did.
    segment, size = log_end(stderr)
    log_dir = os.path.join(pair.data_dir, "log")
    segments = sorted(f for f in os.listdir(log_dir) if f.endswith(".log"))
    assert segments[-1] == segment
    assert os.path.getsize(os.path.join(log_dir, segment)) == size
    return sub_id, loader.acked


def test_a_removed_lock_file_fences_the_active(make_pair):
    pair = make_pair(ha=FAST_HA)
    node = pair.spawn()
    assert pair.wait_accepting() is not None
    sub_id, acked = fence_and_check(pair, node, lambda: os.unlink(os.path.join(pair.data_dir, "pier.lock")))
    assert "was removed or replaced" in node.stderr()
    # A new active recovers everything that was acknowledged before the fence.
    pair.spawn()
    assert pair.wait_accepting() is not None
    got = {m.payload for m in drain(pair, sub_id, expected=len(acked))}
    assert not set(acked) - got, f"{len(set(acked) - got)} acknowledged messages lost"


def test_a_lease_taken_by_another_fences_the_active_and_a_standby_waits_it_out(make_pair):
    pair = make_pair(ha=FAST_HA)
    node = pair.spawn()
    assert pair.wait_accepting() is not None
    standby = pair.spawn()
    assert standby.wait_role("standby")

    def take_lease():
        with open(os.path.join(pair.data_dir, "pier.lease"), "r+b") as f:
            f.write(foreign_lease(pid=4242, host="intruder"))

    fenced_at = [0.0]

    def interfere():
        take_lease()
        fenced_at[0] = time.monotonic()

    fence_and_check(pair, node, interfere)
    assert "held by pid 4242 on intruder" in node.stderr(), node.stderr()
    # The foreign lease is never renewed, so the standby takes over once it has been stale for the timeout.
    assert pair.wait_accepting(timeout=15) is not None, standby.stderr()
    assert time.monotonic() - fenced_at[0] >= 2.9
    assert "not renewed for" in standby.stderr(), standby.stderr()
    assert pair.the_active() is standby


def test_a_standby_activates_once_the_storage_comes_back(make_pair):
    """ARTEMIS-2069: the shared directory goes away (here: renamed) and returns. The active cannot renew
    and fences; the standby keeps polling through the errors and takes over once the directory is back."""
    pair = make_pair(ha=FAST_HA)
    a = pair.spawn()
    assert pair.wait_accepting() is not None
    sub_id = persistent_subscriber(pair)
    publish_qos1(pair, "kill/data", [b"before-the-outage"])
    b = pair.spawn()
    assert b.wait_role("standby")
    away = pair.data_dir + ".away"
    os.rename(pair.data_dir, away)
    try:
        assert a.proc.wait(timeout=10) == 75, a.stderr()
        assert wait_until(lambda: "cannot open the lock file" in b.stderr(), 5), b.stderr()
        time.sleep(0.5)
        assert b.alive() and b.role == "standby" and not pair.accepting()
    finally:
        os.rename(away, pair.data_dir)
    assert pair.wait_accepting(timeout=15) is not None, b.stderr()
    assert pair.the_active() is b
    assert [m.payload for m in drain(pair, sub_id, expected=1)] == [b"before-the-outage"]


# --------------------------------------------------------------------------- queues and bridges

def test_queue_contents_and_bridge_backlog_survive_a_takeover_and_drain(make_pair, tmp_path):
    from stomp_support import StompTarget, open_connection
    from test_12_bridge import Collector, ProtonBroker

    upstream = ProtonBroker()  # not started: the uplink is down, the bridge buffers in the log
    bridge = tmp_path / "bridge.yaml"
    bridge.write_text(f"""name: up
uplink:
  addresses:
    - {upstream.address}
  container_id: {uid('gw')}
  reconnect_initial_delay_ms: 100
  reconnect_max_delay_ms: 500
forward:
  - filter: line/#
    address: line.all
""")
    stomp_port = free_port()
    pair = make_pair(ha=FAST_HA, bridges=[str(bridge)],
                     extra_listeners=[{"protocol": "stomp", "transport": "tcp", "bind": HOST, "port": stomp_port}])
    a = pair.spawn()
    assert pair.wait_accepting() is not None
    target = StompTarget(HOST, stomp_port)
    assert wait_until(lambda: _accepts(stomp_port), 10)
    conn, got = open_connection(target)
    for i in range(100):
        conn.send("/queue/work", f"job-{i}", headers={"persistent": "true"}, receipt=f"r{i}")
    assert got.wait(lambda: len(got.receipts) >= 100, 20)
    conn.disconnect()
    publish_qos1(pair, "line/a", [f"bridged-{i}".encode() for i in range(200)])
    b = pair.spawn()
    assert b.wait_role("standby")
    a.kill9()
    assert pair.wait_accepting() is not None
    assert pair.the_active() is b
    assert wait_until(lambda: _accepts(stomp_port), 10)

    conn, got = open_connection(target)
    conn.subscribe("/queue/work", id="w", ack="client-individual")
    frames = got.wait_messages(100, 20)
    assert sorted(f.body for f in frames) == sorted(f"job-{i}" for i in range(100))
    for f in frames:
        conn.ack(f.headers["ack"])
    conn.disconnect()

    upstream.start()
    try:
        collector = Collector(upstream, "line.all")
        collector.start()
        assert collector.wait_for(200, timeout=30), f"{len(set(collector.payloads()))} of 200 arrived upstream"
        assert set(collector.payloads()) == {f"bridged-{i}".encode() for i in range(200)}
        collector.stop()
    finally:
        upstream.stop()


def _accepts(port):
    import socket
    try:
        socket.create_connection((HOST, port), timeout=0.2).close()
        return True
    except OSError:
        return False
