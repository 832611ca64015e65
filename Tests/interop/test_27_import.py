"""`pier import mosquitto.conf`: mosquitto's own example config and a config written like a real
gateway's (auth, TLS, WebSockets, persistence, include_dir, an MQTT bridge). The translation loads in
`pier serve`, and mosquitto's own clients (and paho over WebSockets) log in with the password file that
`mosquitto_passwd` wrote, unchanged.
"""
import os
import shutil
import subprocess
import tempfile

import paho.mqtt.client as mqtt
import pytest
import yaml

from conftest import IS_MOSQUITTO, free_port, kill_pid, uid, wait_until
from pki import make_pki
from test_15_mqtt_tls import port_open

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="pier import is Pier's command")

PIER = os.environ.get("PIER_BIN", "pier")
EXAMPLE = "/usr/share/doc/mosquitto/examples/mosquitto.conf"


def pier_import(conf, out):
    return subprocess.run([PIER, "import", str(conf), "-o", str(out)], capture_output=True, text=True, timeout=30)


def serve(config_path, tmp_path, ports):
    log = open(tmp_path / "pier.log", "w")
    proc = subprocess.Popen([PIER, "serve", "--config", str(config_path)], stdout=log, stderr=subprocess.STDOUT)
    if not wait_until(lambda: all(port_open(p) for p in ports), timeout=15):
        kill_pid(proc)
        pytest.fail("imported config did not serve:\n" + (tmp_path / "pier.log").read_text())
    return proc


def pub(port, topic, message, *extra):
    return subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t", topic, "-m", message,
                           "-q", "1", *extra], capture_output=True, text=True, timeout=15)


def test_mosquittos_example_config_imports_cleanly_and_serves(tmp_path):
    r = pier_import(EXAMPLE, tmp_path / "pier.yaml")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    config = yaml.safe_load((tmp_path / "pier.yaml").read_text())
    # Every line of the example is a comment: mosquitto 2.0's defaults, a local-only anonymous listener
    # on 1883 and no persistence.
    assert config["listeners"] == [{"protocol": "mqtt", "transport": "tcp", "bind": "127.0.0.1", "port": 1883,
                                    "allow_anonymous": True}]
    assert config["storage"] == {"engine": "memory"}

    # Served on a free port instead of 1883, an anonymous mosquitto client gets through.
    port = free_port()
    config["listeners"][0]["port"] = port
    config["data_dir"] = str(tmp_path / "data")
    (tmp_path / "served.yaml").write_text(yaml.safe_dump(config))
    proc = serve(tmp_path / "served.yaml", tmp_path, [port])
    try:
        r = pub(port, "import/example", "hello")
        assert r.returncode == 0, r.stderr
    finally:
        kill_pid(proc)


@pytest.fixture
def gateway(tmp_path):
    """A mosquitto setup as a gateway would have it, with its password file written by mosquitto_passwd."""
    d = tmp_path / "mosquitto"
    (d / "conf.d").mkdir(parents=True)
    pki = make_pki(tempfile.mkdtemp(prefix="pier-import-pki-"))
    passwd = d / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "alice-pw"], check=True)
    subprocess.run(["mosquitto_passwd", "-b", str(passwd), "bob", "bob-pw"], check=True)
    acl = d / "acl"
    acl.write_text("user alice\ntopic readwrite sensors/#\n\nuser bob\ntopic read sensors/#\n")
    ports = {"mqtt": free_port(), "mqtts": free_port(), "ws": free_port()}
    data = tmp_path / "data"
    lines = [
        "# a gateway's mosquitto.conf",
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {passwd}",
        f"acl_file {acl}",
        "persistence true",
        f"persistence_location {data}/",
        "autosave_interval 1800",
        "max_queued_messages 500",
        f"listener {ports['mqtt']} 127.0.0.1",
        f"listener {ports['mqtts']} 127.0.0.1",
        f"cafile {pki['ca']}",
        f"certfile {pki['cert']}",
        f"keyfile {pki['key']}",
        f"listener {ports['ws']} 127.0.0.1",
        "protocol websockets",
        f"include_dir {d / 'conf.d'}",
        "connection cloud",
        "address upstream.example.com:8883",
        "topic sensors/# out 1",
    ]
    (d / "mosquitto.conf").write_text("\n".join(lines) + "\n")
    (d / "conf.d" / "limits.conf").write_text("max_keepalive 120\nmax_inflight_messages 10\n")
    yield {"conf": d / "mosquitto.conf", "lines": lines, "ports": ports, "pki": pki, "data": data}
    shutil.rmtree(pki["dir"], ignore_errors=True)


def test_gateway_config_imports_names_what_it_cannot_and_the_password_file_works(gateway, tmp_path):
    out = tmp_path / "pier.yaml"
    r = pier_import(gateway["conf"], out)
    # Exit 1: some directives were not carried over, and each is named with its line.
    assert r.returncode == 1, r.stderr
    lines = gateway["lines"]
    conf = str(gateway["conf"])
    expected = {lines.index(text) + 1: name for text, name in [
        ("autosave_interval 1800", "autosave_interval"), ("connection cloud", "connection"),
        ("address upstream.example.com:8883", "address"), ("topic sensors/# out 1", "topic")]}
    reported = [line for line in r.stderr.splitlines() if line.startswith("not imported: ")]
    assert len(reported) == len(expected), r.stderr
    for number, name in expected.items():
        assert any(line.startswith(f"not imported: {conf}:{number}: {name}: ") for line in reported), r.stderr
    assert "AMQP 1.0" in r.stderr

    config = yaml.safe_load(out.read_text())
    ports = gateway["ports"]
    assert [(l["port"], l["transport"], l["allow_anonymous"]) for l in config["listeners"]] == [
        (ports["mqtt"], "tcp", False), (ports["mqtts"], "tls", False), (ports["ws"], "ws", False)]
    assert config["auth"]["password_file"].endswith("/passwd")
    assert config["limits"]["max_queued_messages"] == 500
    assert config["limits"]["max_keepalive"] == 120
    assert config["limits"]["max_inflight"] == 10
    assert "storage" not in config  # persistence true: Pier's log, in persistence_location

    proc = serve(out, tmp_path, list(ports.values()))
    try:
        topic = f"sensors/{uid('t')}"
        # bob subscribes over TLS with the CA the mosquitto listener used; alice publishes in plain TCP.
        sub = subprocess.Popen(["mosquitto_sub", "-h", "localhost", "-p", str(ports["mqtts"]), "--cafile",
                                gateway["pki"]["ca"], "-u", "bob", "-P", "bob-pw", "-t", topic, "-q", "1",
                                "-W", "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        try:
            received = []
            for _ in range(50):  # until bob's subscription is in place
                r = pub(ports["mqtt"], topic, "from-tcp", "-u", "alice", "-P", "alice-pw")
                assert r.returncode == 0, r.stderr
                received += _lines(sub, timeout=0.2)
                if received:
                    break
            assert "from-tcp" in received, f"bob never received alice's message over TLS: {sub.stderr.read().decode() if sub.poll() is not None else ''}"
            # Over WebSockets (paho), alice logs in with the same password file.
            ws = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=uid("ws"), transport="websockets")
            ws.username_pw_set("alice", "alice-pw")
            ws.connect("127.0.0.1", ports["ws"])
            ws.loop_start()
            info = ws.publish(topic, "from-ws", qos=1)
            info.wait_for_publish(timeout=10)
            assert info.is_published()
            ws.loop_stop()
            ws.disconnect()
            assert wait_until(lambda: received.extend(_lines(sub, timeout=0.1)) or "from-ws" in received, timeout=10), received
        finally:
            kill_pid(sub)

        # A wrong password and an anonymous client are refused, as mosquitto would.
        bad = pub(ports["mqtt"], topic, "x", "-u", "alice", "-P", "wrong")
        assert bad.returncode != 0
        assert "not authorised" in (bad.stderr + bad.stdout).lower() or "refused" in (bad.stderr + bad.stdout).lower()
        anonymous = pub(ports["mqtt"], topic, "x")
        assert anonymous.returncode != 0
        # persistence_location became data_dir: Pier's log lives there now.
        assert any(name.endswith(".log") or name.startswith("segment") or name == "pier.lock"
                   for name in os.listdir(gateway["data"])), os.listdir(gateway["data"])
    finally:
        kill_pid(proc)


def _lines(proc, timeout):
    """The lines the subscriber has printed so far (waits up to `timeout` for the first). The pipe is
    unbuffered, so select() sees every line that has not been read."""
    import select
    out = []
    while True:
        ready, _, _ = select.select([proc.stdout], [], [], timeout if not out else 0)
        if not ready:
            return out
        line = proc.stdout.readline()
        if not line:
            return out
        out.append(line.decode().strip())
