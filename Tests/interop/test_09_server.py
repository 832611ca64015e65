"""The broker process itself: systemd notification, graceful shutdown, limits, $SYS and config errors."""
import os
import signal
import socket
import subprocess
import time

import pytest

import mqttraw
from conftest import IS_MOSQUITTO, BrokerOptions, free_port, kill_pid, pier_config, uid, wait_until

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="checks Pier's own process behaviour")


def start_pier(tmp_path, env_extra=None, **opts):
    port = free_port()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(pier_config(BrokerOptions(**opts), port, str(tmp_path / "data")))
    env = {**os.environ, **(env_extra or {})}
    proc = subprocess.Popen([os.environ["PIER_BIN"], "serve", "--config", str(cfg)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    ok = wait_until(lambda: _accepts(port) or proc.poll() is not None, timeout=10)
    assert ok and proc.poll() is None, f"pier did not start (exit {proc.poll()})"
    return proc, port


def _accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def test_systemd_notify_ready_watchdog_stopping(tmp_path):
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    proc, _ = start_pier(tmp_path, {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
    try:
        got = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (got and got.count("WATCHDOG=1") >= 2):
            got.append(sock.recv(4096).decode())
        # READY=1 comes first, with the pair role as the status line.
        assert got[0].split("\n") == ["READY=1", "STATUS=active"], got
        assert got.count("WATCHDOG=1") >= 2, got
        proc.send_signal(signal.SIGTERM)
        while "STOPPING=1" not in got:
            got.append(sock.recv(4096).decode())
        assert proc.wait(timeout=10) == 0
    finally:
        kill_pid(proc)
        sock.close()


def test_sigterm_disconnects_v5_clients_with_server_shutting_down(tmp_path):
    proc, port = start_pier(tmp_path)
    try:
        c = mqttraw.RawClient("127.0.0.1", port, timeout=5)
        c.send(mqttraw.connect(uid(), version=5))
        assert mqttraw.parse_connack(c.recv(), 5).code == 0
        proc.send_signal(signal.SIGTERM)
        assert mqttraw.disconnect_reason(c.recv()) == 0x8B
        assert proc.wait(timeout=10) == 0
        c.close()
    finally:
        kill_pid(proc)


def fill_then_expect_refusal(port, accepted, clients):
    """Connects `accepted` v5 clients (all accepted), then one more, which must get CONNACK 0x88."""
    for _ in range(accepted):
        c = mqttraw.RawClient("127.0.0.1", port, timeout=5)
        clients.append(c)
        c.send(mqttraw.connect(uid(), version=5))
        assert mqttraw.parse_connack(c.recv(), 5).code == 0
    extra = mqttraw.RawClient("127.0.0.1", port, timeout=5)
    clients.append(extra)
    extra.send(mqttraw.connect(uid(), version=5))
    assert mqttraw.parse_connack(extra.recv(), 5).code == 0x88


def test_max_connections_refused_with_server_unavailable(tmp_path):
    proc, port = start_pier(tmp_path, limits={"max_connections": 2})
    clients = []
    try:
        fill_then_expect_refusal(port, 2, clients)
        old = mqttraw.RawClient("127.0.0.1", port, timeout=5)
        clients.append(old)
        old.send(mqttraw.connect(uid(), version=4))
        assert mqttraw.parse_connack(old.recv(), 4).code == 3  # 3.1.1: server unavailable
    finally:
        for c in clients:
            c.close()
        kill_pid(proc)


def test_sys_topics_report_version_and_clients(broker, peers):
    c = peers.connected(broker, uid())
    c.subscribe("$SYS/broker/#", qos=0)
    # The retained values come first; the next interval (1 s here) must count this client.
    msgs = c.wait_for(lambda ms: any(m.topic == "$SYS/broker/clients/connected" and int(m.payload) >= 1 for m in ms)
                      and "$SYS/broker/uptime" in {m.topic for m in ms}, timeout=10)
    by_topic = {m.topic: m.payload for m in msgs}
    assert by_topic["$SYS/broker/version"].startswith(b"pier version")
    assert by_topic["$SYS/broker/uptime"].endswith(b" seconds")


@pytest.mark.parametrize("yaml_text,key", [
    ("limits:\n  max_inflight: 0\n", "limits.max_inflight"),
    ("listeners:\n  - protocol: mqtt\n    port: abc\n", "listeners[0].port"),
    ("limits:\n  max_inflite: 3\n", "limits.max_inflite"),
])
def test_config_errors_name_the_key_and_exit_nonzero(tmp_path, yaml_text, key):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(yaml_text)
    r = subprocess.run([os.environ["PIER_BIN"], "serve", "--config", str(cfg)], capture_output=True, timeout=20)
    assert r.returncode != 0
    assert key in r.stderr.decode(), r.stderr.decode()


def _rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_client_that_never_reads_does_not_grow_the_broker(broker, peers):
    stalled = peers.raw(broker)
    stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.send(mqttraw.connect(uid("stall"), version=5))
    assert mqttraw.parse_connack(stalled.recv(), 5).code == 0
    assert stalled.subscribe("flood/#", 0, version=5) == [0]  # after this the client never reads again
    healthy = peers.connected(broker, uid("ok"))
    healthy.subscribe("flood/last", qos=1)
    before = _rss_kib(broker.proc.pid)
    pub = peers.raw(broker, timeout=60)
    pub.send(mqttraw.connect(uid("pub"), version=5))
    assert mqttraw.parse_connack(pub.recv(), 5).code == 0
    packet = mqttraw.publish("flood/data", b"x" * 4096, version=5)
    for _ in range(100):  # 40 MB towards a client that reads nothing
        pub.send(packet * 100)
    pub.send(mqttraw.publish("flood/last", b"done", qos=1, packet_id=1, version=5))
    assert pub.recv(timeout=60).type == mqttraw.PUBACK
    assert [m.payload for m in healthy.wait_messages(1, timeout=30)] == [b"done"]
    grown = _rss_kib(broker.proc.pid) - before
    assert grown < 20 * 1024, f"broker grew by {grown} KiB while a client stalled"
    broker.assert_alive()


def test_connection_after_the_fd_ceiling_is_refused_cleanly(tmp_path):
    import resource

    def low_fd_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (200, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    port = free_port()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(pier_config(BrokerOptions(limits={"max_connections": 100000}), port, str(tmp_path / "data")))
    log = open(tmp_path / "pier.log", "wb")
    proc = subprocess.Popen([os.environ["PIER_BIN"], "serve", "--config", str(cfg)], preexec_fn=low_fd_limit,
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    clients = []
    try:
        assert wait_until(lambda: _accepts(port), timeout=10)
        # 200 files minus the reserve of 128 leaves 72 client connections.
        fill_then_expect_refusal(port, 72, clients)
        assert proc.poll() is None
        log.flush()
        text = (tmp_path / "pier.log").read_text()
        assert "max_connections lowered to fit the open-file limit" in text
        assert "connection refused: max_connections reached" in text
    finally:
        for c in clients:
            c.close()
        kill_pid(proc)
        log.close()


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _readme_install_block():
    text = open(os.path.join(REPO, "README.md")).read()
    start = text.index("install -m 755 .build/release/pier /usr/local/bin/pier")
    return text[start:text.index("```", start)]


def test_readme_install_steps_with_the_example_config_start_the_broker(tmp_path):
    """README's systemd install steps, with /etc/pier and /var/lib/pier moved under tmp_path: every
    file the example config names is one those steps create, and the broker starts with it."""
    steps = _readme_install_block()
    example = open(os.path.join(REPO, "pier.example.yaml")).read()
    import yaml
    cfg = yaml.safe_load(example)
    named = [v for v in (cfg.get("auth") or {}).values() if isinstance(v, str)]
    for path in named:
        assert path in steps, f"pier.example.yaml names {path}, which README's install steps never create"

    etc, var = tmp_path / "etc", tmp_path / "var"
    etc.mkdir()
    var.mkdir()
    port = free_port()
    text = example.replace("/etc/pier", str(etc)).replace("/var/lib/pier", str(var))
    stomp_port = free_port()
    text = text.replace("bind: 0.0.0.0", "bind: 127.0.0.1").replace("port: 1883", f"port: {port}")
    text = text.replace("port: 61613", f"port: {stomp_port}")
    (etc / "pier.yaml").write_text(text)
    # `pier passwd -c /etc/pier/passwd gateway-1`, in batch mode instead of at the prompt
    assert "pier passwd -c /etc/pier/passwd gateway-1" in steps
    r = subprocess.run([os.environ["PIER_BIN"], "passwd", "-c", "-b", str(etc / "passwd"), "gateway-1", "s3cret"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    proc = subprocess.Popen([os.environ["PIER_BIN"], "serve", "--config", str(etc / "pier.yaml")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        ok = wait_until(lambda: _accepts(port) or proc.poll() is not None, timeout=15)
        assert ok and proc.poll() is None, f"pier refused to start: {proc.stderr.read().decode()}"
        c = mqttraw.RawClient("127.0.0.1", port)
        assert c.connect(uid("gw"), username="gateway-1", password="s3cret").code == 0
        c.close()
        anon = mqttraw.RawClient("127.0.0.1", port)
        assert anon.connect(uid("anon")).code != 0, "the example turns anonymous access off"
        anon.close()
        assert wait_until(lambda: _accepts(stomp_port), timeout=10)
        with socket.create_connection(("127.0.0.1", stomp_port), timeout=5) as st:
            st.sendall(b"CONNECT\naccept-version:1.2\nlogin:gateway-1\npasscode:s3cret\n\n\x00")
            assert st.recv(9) == b"CONNECTED", "the example's STOMP listener takes the same logins"
    finally:
        kill_pid(proc)
