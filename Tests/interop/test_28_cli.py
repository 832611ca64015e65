"""`pier pub` and `pier sub`, the clients a new user tries first, against Pier and against real peers:
mosquitto's clients read what `pier pub` sends and `pier sub` prints what mosquitto_pub sends, and over
STOMP a persistent send to a queue waits for its receipt. Refusals exit 1 with the broker's reason."""
import os
import subprocess

import pytest

from conftest import HOST, IS_MOSQUITTO, _accepts, free_port, uid, wait_until

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="pier pub/sub are Pier's commands (they are tested against Pier)")

PIER = os.environ.get("PIER_BIN", "pier")


def pier(*args, timeout=30, **kwargs):
    return subprocess.run([PIER, *args], capture_output=True, text=True, timeout=timeout, **kwargs)


def start_sub(*args):
    """A `pier sub` in the background; it prints nothing until a message comes, so wait for its SUBACK by
    publishing probes elsewhere. Returns the process."""
    # Unbuffered bytes: select() then sees every line not yet read.
    return subprocess.Popen([PIER, "sub", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)


@pytest.fixture
def stomp_broker(make_broker):
    st = free_port()
    b = make_broker(extra_listeners=[{"protocol": "stomp", "transport": "tcp", "bind": HOST, "port": st}])
    assert wait_until(lambda: _accepts(HOST, st), 10), b.stderr()
    b.stomp_port = st
    return b


def test_pier_pub_reaches_mosquitto_sub_and_retains(broker):
    topic = uid("cli/a")
    r = pier("pub", "-p", str(broker.port), "-t", topic, "-m", "kept", "-r", "-q", "1")
    assert r.returncode == 0, r.stderr
    # The retained message is there for a subscriber that comes afterwards.
    got = subprocess.run(["mosquitto_sub", "-h", HOST, "-p", str(broker.port), "-t", topic, "-C", "1", "-W", "10", "-v"],
                         capture_output=True, text=True, timeout=20)
    assert got.stdout.strip() == f"{topic} kept", got.stderr


def test_mosquitto_pub_reaches_pier_sub_at_every_qos(broker):
    topic = uid("cli/b")
    sub = start_sub("-p", str(broker.port), "-t", topic + "/#", "-q", "2", "-v", "-W", "20")
    try:
        # Until the subscription is in place, probes are lost; then three real messages follow.
        assert wait_until(lambda: _probe_seen(broker, topic, sub), 10), "pier sub never subscribed"
        for qos in (0, 1, 2):
            subprocess.run(["mosquitto_pub", "-h", HOST, "-p", str(broker.port), "-t", f"{topic}/q{qos}",
                            "-m", f"m{qos}", "-q", str(qos)], check=True, timeout=10)
        lines = []
        assert wait_until(lambda: lines.extend(_read_ready(sub)) or len([l for l in lines if "/q" in l]) >= 3, 15), lines
    finally:
        sub.kill()
        sub.communicate()
    assert [l for l in lines if "/probe" not in l] == [f"{topic}/q0 m0", f"{topic}/q1 m1", f"{topic}/q2 m2"]


def _read_ready(sub):
    import select
    out = []
    while select.select([sub.stdout], [], [], 0.05)[0]:
        line = sub.stdout.readline()
        if not line:
            break
        out.append(line.decode().strip())
    return out


def _probe_seen(broker, topic, sub):
    subprocess.run(["mosquitto_pub", "-h", HOST, "-p", str(broker.port), "-t", f"{topic}/probe", "-m", "p"],
                   timeout=10)
    import select
    ready, _, _ = select.select([sub.stdout], [], [], 0.2)
    return bool(ready)


def test_lines_from_stdin_each_become_a_message(broker):
    topic = uid("cli/c")
    sub = start_sub("-p", str(broker.port), "-t", topic, "-q", "1", "-W", "20")
    try:
        assert wait_until(lambda: _probe_seen_exact(broker, topic, sub), 10)
        r = pier("pub", "-p", str(broker.port), "-t", topic, "-q", "1", "-l", input="one\ntwo\n")
        assert r.returncode == 0, r.stderr
        lines = []
        assert wait_until(lambda: lines.extend(_read_ready(sub)) or "two" in lines, 15), lines
    finally:
        sub.kill()
        sub.communicate()
    assert [l for l in lines if l != "p"] == ["one", "two"]


def _probe_seen_exact(broker, topic, sub):
    pier("pub", "-p", str(broker.port), "-t", topic, "-m", "p", "-q", "1")
    import select
    ready, _, _ = select.select([sub.stdout], [], [], 0.3)
    return bool(ready)


def test_stomp_queue_send_with_receipt_then_receive(stomp_broker):
    queue = "/queue/" + uid("cli.q")
    r = pier("pub", "--stomp", "-p", str(stomp_broker.stomp_port), "-t", queue, "-m", "first", "-m", "second", "-q", "1")
    assert r.returncode == 0, r.stderr
    r = pier("sub", "--stomp", "-p", str(stomp_broker.stomp_port), "-t", queue, "-q", "1", "-C", "2", "-W", "10")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["first", "second"]
    # Acknowledged (client-individual): nothing is left for the next consumer.
    r = pier("sub", "--stomp", "-p", str(stomp_broker.stomp_port), "-t", queue, "-C", "1", "-W", "2")
    assert r.returncode == 1 and "timed out" in r.stderr


def test_mqtt_publish_reaches_a_stomp_topic_subscriber(stomp_broker):
    name = uid("cli")
    sub = start_sub("--stomp", "-p", str(stomp_broker.stomp_port), "-t", f"/topic/{name}.x", "-v", "-W", "20")
    try:
        assert wait_until(lambda: pier("pub", "-p", str(stomp_broker.port), "-t", f"{name}/x", "-m", "hello").returncode == 0
                          and _ready(sub), 10)
        lines = _read_ready(sub)
    finally:
        sub.kill()
        sub.communicate()
    assert lines and set(lines) == {f"/topic/{name}.x hello"}


def _ready(sub):
    import select
    ready, _, _ = select.select([sub.stdout], [], [], 0.3)
    return bool(ready)


def test_refusals_exit_1_with_the_reason(make_broker, tmp_path):
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "alice-pw"], check=True)
    b = make_broker(allow_anonymous=False, password_file=str(passwd))
    r = pier("pub", "-p", str(b.port), "-t", "x", "-m", "y", "-u", "alice", "-P", "wrong")
    assert r.returncode == 1
    assert "connection refused" in r.stderr and "0x86" in r.stderr  # Bad User Name or Password
    r = pier("pub", "-p", str(b.port), "-t", "x", "-m", "y", "-u", "alice", "-P", "alice-pw", "-q", "1")
    assert r.returncode == 0, r.stderr
    r = pier("sub", "-p", str(b.port), "-t", "a/#/b", "-u", "alice", "-P", "alice-pw", "-W", "5")
    assert r.returncode == 1 and "subscription refused" in r.stderr
    r = pier("pub", "-p", str(free_port()), "-t", "x", "-m", "y")
    assert r.returncode == 1 and "cannot connect" in r.stderr
