"""A JMS producer on `failover:(tcp://…)` sends persistent messages to Pier's active/standby pair while the
active is killed with kill -9: every send that returned is consumed afterwards, and none twice.

The pair shares one config, so the standby binds the same OpenWire port once it takes over; ActiveMQ's
failover transport reconnects there, replays its connection, session and producer under their old ids and
resends the sends that were in flight. Pier drops a resent message it already stored (same producer id and
sequence), as ActiveMQ's producer audit does: against ActiveMQ 5.17.2 this gave 0 lost, 0 duplicates
(jms/README.md, "Failover")."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import threading

import pytest
import yaml

from conftest import HOST, IS_MOSQUITTO, _accepts, free_port, wait_until
from ha_support import Pair
from jms_support import java, jms_classes  # noqa: F401 (jms_classes is a fixture)

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the active/standby pair and OpenWire are Pier's")

FAST_HA = {"poll_ms": 100, "lease_ms": 100, "lease_timeout_ms": 1000}
SENDS = 2000


def lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as f:
            return [line for line in f.read().splitlines() if line]
    except FileNotFoundError:
        return []


def verdict(stdout: str) -> str:
    out = stdout.strip().splitlines()
    return out[-1] if out else ""


def field(line: str, name: str) -> int:
    m = re.search(rf"\b{name}=(\d+)", line)
    assert m, f"no {name}= in {line!r}"
    return int(m.group(1))


@pytest.fixture
def openwire_pair(tmp_path):
    """A pair config with an OpenWire listener on its own port, at debug level so each node logs the replayed
    sends its producer audit drops."""
    ow = free_port()
    pair = Pair(str(tmp_path), ha=FAST_HA, extra_listeners=[
        {"protocol": "openwire", "transport": "tcp", "bind": HOST, "port": ow, "allow_anonymous": True}])
    with open(pair.config_path) as f:
        cfg = yaml.safe_load(f)
    cfg["logging"] = {"level": "debug"}
    with open(pair.config_path, "w") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    yield pair, ow
    pair.stop()


@pytest.mark.parametrize("kills", [1, 3])
def test_failover_producer_through_kill9_takeovers_loses_nothing_and_duplicates_nothing(openwire_pair, tmp_path, jms_classes, kills):
    pair, ow = openwire_pair
    producer = None
    try:
        pair.spawn()
        pair.the_active()
        assert wait_until(lambda: _accepts(HOST, ow), 10), "the OpenWire listener never came up"
        url = f"failover:(tcp://{HOST}:{ow})?randomize=false&initialReconnectDelay=50&maxReconnectDelay=200"
        sent_file, got_file = str(tmp_path / "out.txt"), str(tmp_path / "out2.txt")
        producer_log = open(tmp_path / "producer.stderr", "wb")
        env = {**os.environ, "PIER_JMS_STALL": "30"}
        at_kill = []
        for k in range(kills):
            standby = pair.spawn()
            assert standby.wait_role("standby"), standby.stderr()
            victim = pair.the_active()
            if producer is None:
                producer = subprocess.Popen(java(jms_classes, "PierJms", "failover-producer", url, str(SENDS), sent_file),
                                            stdout=subprocess.PIPE, stderr=producer_log, text=True, env=env)
            # Kill while sends are flowing: 200 confirmed ids in, then 500 more per further kill.
            target = 200 + 500 * k
            assert wait_until(lambda: len(lines(sent_file)) >= target or producer.poll() is not None, 60), \
                f"kill {k}: the producer got only {len(lines(sent_file))} sends through"
            assert producer.poll() is None, f"kill {k}: the producer ended before the kill: {producer.stdout.read()}"
            victim.kill9()
            at_kill.append(len(lines(sent_file)))
            assert pair.the_active(timeout=15) is standby, f"kill {k}: no takeover\n{standby.stderr()[-3000:]}"
        out, _ = producer.communicate(timeout=240)
        with open(tmp_path / "producer.stderr", encoding="utf-8", errors="replace") as f:
            plog = f.read()
        report = f"producer exit {producer.returncode}\n{out}\nstderr tail:\n{plog[-4000:]}"
        assert producer.returncode == 0 and verdict(out).startswith("PASS failover-producer"), report
        assert all(n < SENDS for n in at_kill), f"a kill came after the last send: {at_kill}"
        assert field(verdict(out), "interruptions") >= kills, report

        sent = lines(sent_file)
        assert len(sent) == SENDS and len(set(sent)) == SENDS, f"{len(sent)} confirmed, {len(set(sent))} distinct"
        r = subprocess.run(java(jms_classes, "PierJms", "failover-consumer", f"tcp://{HOST}:{ow}", got_file, sent_file),
                           capture_output=True, text=True, timeout=180)
        line = verdict(r.stdout)
        got = lines(got_file)
        lost = sorted(set(sent) - set(got))
        duplicates = len(got) - len(set(got))
        dropped = sum(n.stderr().count("duplicate OpenWire send dropped") for n in pair.nodes)
        print(f"openwire failover: {SENDS} sends, {kills} kill -9 at {at_kill} confirmed; consumed {len(got)}, "
              f"lost {len(lost)}, duplicates {duplicates}, replayed sends dropped by the audit {dropped}; {verdict(out)}")
        assert r.returncode == 0 and line.startswith("PASS failover-consumer"), f"{r.stdout}\n{r.stderr[-4000:]}"
        assert not lost, f"{len(lost)} confirmed sends lost, first {lost[:5]}"
        assert set(got) <= set(sent), f"unconfirmed ids consumed: {sorted(set(got) - set(sent))[:5]}"
        assert duplicates == 0 and field(line, "duplicates") == 0, f"{duplicates} duplicates: {line}"
    finally:
        if producer is not None and producer.poll() is None:
            producer.kill()
            producer.wait(timeout=10)


class CuttingProxy:
    """A TCP proxy to the broker whose `cut()` closes every connection both ways at once: a transient network
    failure, with the broker still up and still holding whatever arrived before the cut."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection((HOST, self.target_port))
            except OSError:
                return
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass

    def cut(self):
        with self.lock:
            doomed, self.sockets = self.sockets, []
            self.cuts += 1
        for s in doomed:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.listener.close()
        self.cut()


def test_failover_producer_through_dropped_connections_to_the_same_broker(openwire_pair, jms_classes, tmp_path):
    """The failover transport replays its connection (same client id), session and producer to the broker that
    still has them, and resends in-flight sends that broker may already have stored."""
    pair, ow = openwire_pair
    b = pair.spawn()
    pair.the_active()
    assert wait_until(lambda: _accepts(HOST, ow), 10), f"the OpenWire listener never came up:\n{b.stderr()}"
    proxy = CuttingProxy(ow)
    sent_file, got_file = str(tmp_path / "out.txt"), str(tmp_path / "out2.txt")
    url = f"failover:(tcp://{HOST}:{proxy.port})?randomize=false&initialReconnectDelay=50&maxReconnectDelay=200"
    producer = subprocess.Popen(java(jms_classes, "PierJms", "failover-producer", url, str(SENDS), sent_file),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PIER_JMS_STALL": "30"})
    try:
        for k in range(3):
            target = 200 + 500 * k
            assert wait_until(lambda: len(lines(sent_file)) >= target or producer.poll() is not None, 60), \
                f"cut {k}: the producer got only {len(lines(sent_file))} sends through"
            assert producer.poll() is None, f"cut {k}: the producer ended before the cut: {producer.stdout.read()}"
            proxy.cut()
        out, err = producer.communicate(timeout=240)
    finally:
        if producer.poll() is None:
            producer.kill()
            producer.wait(timeout=10)
        proxy.close()
    report = f"producer exit {producer.returncode}\n{out}\nstderr tail:\n{err[-4000:]}\nbroker:\n{b.stderr()[-3000:]}"
    assert producer.returncode == 0 and verdict(out).startswith("PASS failover-producer"), report
    assert field(verdict(out), "interruptions") >= 3, report
    sent = lines(sent_file)
    assert len(sent) == SENDS and len(set(sent)) == SENDS
    r = subprocess.run(java(jms_classes, "PierJms", "failover-consumer", f"tcp://{HOST}:{ow}", got_file, sent_file),
                       capture_output=True, text=True, timeout=180)
    got = lines(got_file)
    lost = sorted(set(sent) - set(got))
    duplicates = len(got) - len(set(got))
    dropped = b.stderr().count("duplicate OpenWire send dropped")
    print(f"openwire dropped connections: {SENDS} sends, 3 cuts; consumed {len(got)}, lost {len(lost)}, "
          f"duplicates {duplicates}, replayed sends dropped by the audit {dropped}; {verdict(out)}")
    assert r.returncode == 0 and verdict(r.stdout).startswith("PASS failover-consumer"), f"{r.stdout}\n{r.stderr[-4000:]}"
    assert not lost, f"{len(lost)} confirmed sends lost, first {lost[:5]}"
    assert set(got) <= set(sent), f"unconfirmed ids consumed: {sorted(set(got) - set(sent))[:5]}"
    assert duplicates == 0, f"{duplicates} duplicates: {verdict(r.stdout)}"


def failover_url(ow: int) -> str:
    return f"failover:(tcp://{HOST}:{ow})?randomize=false&initialReconnectDelay=50&maxReconnectDelay=200"


@pytest.mark.parametrize("scenario,ready,outcomes", [("failover-tx", "SENT", ("committed",)),
                                                     ("failover-tx-consume", "RECEIVED", ("rolled-back", "committed"))])
def test_a_transaction_open_across_a_kill9_takeover_ends_as_with_activemq(openwire_pair, jms_classes, scenario, ready, outcomes):
    """Trap 4, with the outcome ActiveMQ 5.17's own pair gives (jms/run-against-activemq.sh failover-tx
    failover-tx-consume). Sends: the failover transport replays BEGIN and the sends to the standby, so the
    commit after the takeover succeeds there and each message exists once. Receives: the client cannot know
    the standby will redeliver what it had received, so commit() throws TransactionRolledBackException; the
    5 messages come again flagged JMSRedelivered and every message is consumed in a committed transaction
    exactly once. The client commits instead when the standby has redelivered them before commit() (it checks
    that every previously delivered message came back), which a fast takeover allows; both end exactly once.
    Before ConsumerControl was honoured, a consumer the client replays in pull mode (prefetch 0) during its
    interruption processing stayed starved and this failed."""
    pair, ow = openwire_pair
    pair.spawn()
    victim = pair.the_active()
    assert wait_until(lambda: _accepts(HOST, ow), 10), "the OpenWire listener never came up"
    standby = pair.spawn()
    assert standby.wait_role("standby"), standby.stderr()
    p = subprocess.Popen(java(jms_classes, "PierJms", scenario, failover_url(ow), "20"), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PIER_JMS_TIMEOUT": "90"})
    try:
        first = p.stdout.readline().strip()
        assert first == ready, f"{first!r} {p.stderr.read() if p.poll() is not None else ''}"
        victim.kill9()
        assert pair.the_active(timeout=15) is standby, f"no takeover\n{standby.stderr()[-3000:]}"
        p.stdin.write("commit\n")
        p.stdin.flush()
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
    print(f"openwire transaction across kill -9 ({scenario}): {verdict(out)}")
    assert p.returncode == 0 and verdict(out).startswith(f"PASS {scenario}"), \
        f"{out}\n{err[-4000:]}\nstandby:\n{standby.stderr()[-3000:]}"
    assert any(f"outcome={o} " in verdict(out) for o in outcomes), verdict(out)


def test_a_failover_consumer_keeps_receiving_from_the_standby_after_a_kill9(openwire_pair, jms_classes, tmp_path):
    """A consumer on failover: that is receiving when the active is killed reconnects to the standby and goes on:
    every confirmed send is received at least once; duplicates are counted and must carry JMSRedelivered."""
    pair, ow = openwire_pair
    pair.spawn()
    victim = pair.the_active()
    assert wait_until(lambda: _accepts(HOST, ow), 10), "the OpenWire listener never came up"
    standby = pair.spawn()
    assert standby.wait_role("standby"), standby.stderr()
    total = 1500
    sent_file, got_file = str(tmp_path / "sent.txt"), str(tmp_path / "got.txt")
    env = {**os.environ, "PIER_JMS_STALL": "30", "PIER_JMS_TIMEOUT": "150"}
    receiver = subprocess.Popen(java(jms_classes, "PierJms", "failover-receiver", failover_url(ow), str(total), got_file),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    producer = None
    try:
        assert receiver.stdout.readline().strip() == "READY", receiver.stderr.read() if receiver.poll() is not None else ""
        producer = subprocess.Popen(java(jms_classes, "PierJms", "failover-producer", failover_url(ow), str(total), sent_file),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert wait_until(lambda: len(lines(got_file)) >= 300 or receiver.poll() is not None, 60), \
            f"the receiver got only {len(lines(got_file))}"
        assert producer.poll() is None and receiver.poll() is None, "producer or receiver ended before the kill"
        before_kill = len(lines(got_file))
        victim.kill9()
        assert pair.the_active(timeout=15) is standby, f"no takeover\n{standby.stderr()[-3000:]}"
        pout, perr = producer.communicate(timeout=180)
        rout, rerr = receiver.communicate(timeout=180)
    finally:
        for proc in (producer, receiver):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    assert producer.returncode == 0 and verdict(pout).startswith("PASS failover-producer"), f"{pout}\n{perr[-3000:]}"
    assert receiver.returncode == 0 and verdict(rout).startswith("PASS failover-receiver"), f"{rout}\n{rerr[-3000:]}"
    sent = lines(sent_file)
    got = [line.split() for line in lines(got_file)]
    ids = [g[0] for g in got]
    lost = sorted(set(sent) - set(ids))
    seen: set[str] = set()
    duplicates, unflagged = 0, []
    for i, (mid, redelivered) in enumerate(got):
        if mid in seen:
            duplicates += 1
            if redelivered != "true":
                unflagged.append(mid)
        seen.add(mid)
    after_kill = len(got) - before_kill
    print(f"openwire live consumer across kill -9: {len(sent)} confirmed sends, {len(got)} received "
          f"({after_kill} after the kill), lost {len(lost)}, duplicates {duplicates} (unflagged {len(unflagged)}); "
          f"{verdict(rout)}")
    assert len(sent) == total
    assert not lost, f"{len(lost)} confirmed sends never received, first {lost[:5]}"
    assert after_kill > 0
    assert not unflagged, f"duplicates without JMSRedelivered: {unflagged[:5]}"
