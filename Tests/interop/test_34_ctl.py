"""`pier ctl` against a running Pier: every subcommand goes through the HTTP admin API, its tables are
checked against the API's own answers (read with requests) and its effects against the broker (depths
after move and purge, a closed client that sees the broker hang up). --json must print the API's
JSON unchanged, and 401/403/404/refused must each give their one-line message and exit status."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time

import pytest
import requests

from conftest import HOST, IS_MOSQUITTO, _accepts, free_port, mosquitto_pub, uid, wait_until
from stomp_support import StompTarget, dead_letter, open_connection
from test_29_admin_api import ADMIN, NOT_ADMIN, admin_auth, https_admin_broker

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="pier ctl is Pier's command")

PIER = os.environ.get("PIER_BIN", "pier")
# The exit statuses `pier ctl --help` documents.
EXIT_FAILED, EXIT_UNREACHABLE, EXIT_UNAUTHORIZED, EXIT_FORBIDDEN, EXIT_NOT_FOUND, EXIT_USAGE = 1, 3, 4, 5, 6, 64


class Ctl:
    """`pier ctl` pointed at one broker's admin API, credentials from the environment (as an operator
    would keep them out of the process list), and the API itself for comparison."""

    def __init__(self, http_port: int, scheme: str = "http"):
        self.url = f"{scheme}://{HOST}:{http_port}"

    def run(self, *args, auth=ADMIN, expect=0) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIER_") or k == "PIER_BIN"}
        env["PIER_URL"] = self.url
        if auth:
            env["PIER_USER"], env["PIER_PASSWORD"] = auth
        r = subprocess.run([PIER, "ctl", *args], capture_output=True, text=True, timeout=30, env=env)
        assert r.returncode == expect, (args, r.returncode, r.stdout, r.stderr)
        if expect != 0:
            # One line on stderr, nothing on stdout, and never a crash or a backtrace.
            assert r.stdout == "" and r.stderr.startswith("pier ctl: ") and r.stderr.count("\n") == 1, r.stderr
        return r

    def api(self, path: str, method: str = "GET"):
        r = requests.request(method, self.url + path, auth=ADMIN, timeout=10)
        r.raise_for_status()
        return r.json()


def rows(table: str) -> dict[str, list[str]]:
    """A table's rows by first column (header included), cells split on runs of blanks."""
    return {line.split()[0]: line.split() for line in table.splitlines() if line.strip()}


@pytest.fixture
def ctl_broker(make_broker, tmp_path):
    auth = admin_auth(tmp_path)
    stomp_port, http_port = free_port(), free_port()
    broker = make_broker(
        **auth,
        extra_listeners=[{"protocol": "stomp", "transport": "tcp", "bind": HOST, "port": stomp_port}],
        extra_config={"http": {"bind": HOST, "port": http_port},
                      # One NACK dead-letters, so the test need not loop through redeliveries.
                      "queues": {"defaults": {"max_redeliveries": 0}}})
    assert wait_until(lambda: _accepts(HOST, http_port), 10), broker.stderr()
    return broker, StompTarget(HOST, stomp_port, broker=broker), Ctl(http_port)


def depth(ctl: Ctl, queue: str) -> int:
    return int(rows(ctl.run("queues").stdout)[queue][1])


def test_status_queues_browse_move_and_purge(ctl_broker):
    broker, stomp, ctl = ctl_broker
    q, other = uid("orders"), uid("spill")
    conn, got = open_connection(stomp)
    for i in range(3):
        conn.send(f"/queue/{q}", f"m{i}", headers={"persistent": "true", "colour": "blue"}, receipt=f"r{i}")
    assert got.wait_receipt("r2")

    # status: the API's counts, one per line, and the listeners
    text = ctl.run("status").stdout
    info = ctl.api("/api/broker")
    assert info["connections"] >= 1 and info["queues"] >= 1
    for label, key in (("connections", "connections"), ("sessions", "sessions"), ("queues", "queues"), ("retained", "retained")):
        assert re.search(rf"^{label}:\s+{info[key]}$", text, re.M), (label, text)
    assert re.search(r"^ha role:\s+active$", text, re.M) and f"version:        {info['version']}" in text
    assert re.search(rf"^\s+stomp-{stomp.port}\s+stomp\s+tcp\s+{HOST}:{stomp.port}$", text, re.M), text
    assert re.search(rf"^\s+mqtt-{broker.port}\s+mqtt\s+tcp\s+{HOST}:{broker.port}$", text, re.M), text
    status = json.loads(ctl.run("status", "--json").stdout)
    assert status["listeners"] == ctl.api("/api/listeners") and status["broker"]["data_dir"] == broker.data_dir

    # queues and browse
    table = rows(ctl.run("queues").stdout)
    assert table["NAME"] == ["NAME", "DEPTH", "IN", "FLIGHT", "CONSUMERS"]
    assert table[q][1:] == ["3", "0", "0"]
    assert json.loads(ctl.run("--json", "queues").stdout) == ctl.api("/api/queues")
    lines = ctl.run("browse", q, "--limit", "2").stdout.splitlines()
    assert lines[0].split()[:2] == ["ID", "PRIORITY"] and len(lines) == 3
    assert [l.split()[-1] for l in lines[1:]] == ["m0", "m1"] and all("colour=blue" in l for l in lines[1:])
    assert json.loads(ctl.run("browse", q, "--json").stdout) == ctl.api(f"/api/queues/{q}/messages")

    # move two to another queue, then purge it
    assert ctl.run("move", q, "--to", other, "--limit", "2").stdout == f"moved 2 messages from {q} to {other}\n"
    assert wait_until(lambda: depth(ctl, other) == 2, 10)
    assert depth(ctl, q) == 1
    assert [l.split()[-1] for l in ctl.run("browse", other).stdout.splitlines()[1:]] == ["m0", "m1"]
    assert ctl.run("purge", other).stdout == f"purged 2 messages from {other}\n"
    assert depth(ctl, other) == 0
    assert json.loads(ctl.run("purge", q, "--json").stdout) == {"purged": 1}
    assert depth(ctl, q) == 0

    # a dead letter moved back where it came from
    poison = uid("jobs")
    dead_letter(stomp, conn, poison, "bad")
    dlq = "ActiveMQ.DLQ"
    assert wait_until(lambda: rows(ctl.run("queues").stdout).get(dlq, [None, None])[1] == "1", 10)
    # The consumer must be gone, or the moved message would go straight back to it.
    assert wait_until(lambda: rows(ctl.run("queues").stdout)[poison][3] == "0", 10)
    assert "originalDestination=queue://" + poison in ctl.run("browse", dlq).stdout
    assert ctl.run("move", dlq, "--to", "original").stdout == f"moved 1 message from {dlq} to their original queues\n"
    assert wait_until(lambda: depth(ctl, poison) == 1, 10)
    assert depth(ctl, dlq) == 0
    conn.disconnect()
    broker.assert_alive()


def test_connections_are_listed_and_closed(ctl_broker, peers):
    broker, _, ctl = ctl_broker
    client_id = uid("dev")
    paho = peers.paho(broker, client_id, version=4)
    paho.connect()
    [mine] = [r for r in rows(ctl.run("connections").stdout).values() if client_id in r]
    assert mine[1:3] == ["mqtt", f"mqtt-{broker.port}"] and any(HOST in c for c in mine[3:])
    # CONNECTED SINCE is wall time (UTC), though the broker counts on a monotonic clock.
    assert time.strftime("%Y-%m-%d", time.gmtime()) in mine, mine
    listed = json.loads(ctl.run("connections", "--json").stdout)
    assert [c["id"] for c in listed if c.get("client_id") == client_id] == [int(mine[0])]
    assert ctl.run("connections", "close", mine[0]).stdout == f"closed connection {mine[0]}\n"
    assert paho.wait_disconnected() is not None, "the client sees the broker close it"
    assert wait_until(lambda: client_id not in ctl.run("connections").stdout, 10)
    r = ctl.run("connections", "close", mine[0], expect=EXIT_NOT_FOUND)
    assert r.stderr == f"pier ctl: no connection {mine[0]}\n"


def test_retained_and_bridges(ctl_broker):
    broker, _, ctl = ctl_broker
    topic = f"sensors/{uid('s')}/temp"
    mosquitto_pub(broker, topic, "21.5", qos=1, retain=True)
    assert rows(ctl.run("retained").stdout)[topic] == [topic, "1", "4", "never", "21.5"]
    # No bridge configured: the header alone, and a named one is not found.
    assert ctl.run("bridges").stdout.split() == ["NAME", "STATE", "UPLINK", "BACKLOG", "BACKLOG", "BYTES", "FORWARDED",
                                                 "DROPPED", "DEAD", "LETTERED"]
    assert json.loads(ctl.run("bridges", "--json").stdout) == []
    assert ctl.run("bridges", "pause", "up", expect=EXIT_NOT_FOUND).stderr == "pier ctl: no bridge up\n"


def test_refusals_have_their_own_exit_status_and_message(ctl_broker):
    _, _, ctl = ctl_broker
    r = ctl.run("status", auth=None, expect=EXIT_UNAUTHORIZED)
    assert "--user and --password" in r.stderr and "PIER_USER" in r.stderr
    r = ctl.run("status", auth=("alice", "wrong"), expect=EXIT_UNAUTHORIZED)
    assert "refused the password of user alice" in r.stderr
    # Options override the environment.
    ctl.run("--user", "alice", "--password", "alice-pw", "queues", auth=("alice", "wrong"))
    r = ctl.run("queues", auth=NOT_ADMIN, expect=EXIT_FORBIDDEN)
    assert "user bob" in r.stderr and "`admin` line" in r.stderr
    for args in (("browse", "no-such-queue"), ("purge", "no-such-queue"), ("move", "no-such-queue", "--to", "x")):
        assert ctl.run(*args, expect=EXIT_NOT_FOUND).stderr == "pier ctl: no queue no-such-queue\n"
    r = ctl.run("--url", f"http://{HOST}:{free_port()}", "status", expect=EXIT_UNREACHABLE)
    assert "Connection refused" in r.stderr
    assert "only http:// and https://" in ctl.run("--url", "ftp://h", "status", expect=EXIT_USAGE).stderr
    r = subprocess.run([PIER, "ctl", "browse", "q", "--limit", "0"], capture_output=True, text=True, timeout=30)
    assert r.returncode == EXIT_USAGE and "--limit must be at least 1" in r.stderr
    r = subprocess.run([PIER, "ctl", "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "4 credentials missing" in r.stdout


def test_https_with_a_ca_file(make_broker, tmp_path):
    port, pki = https_admin_broker(make_broker, tmp_path)
    ctl = Ctl(port, scheme="https")
    assert re.search(r"^ha role:\s+active$", ctl.run("--cacert", pki["ca"], "status", auth=None).stdout, re.M)
    r = ctl.run("--cacert", pki["other_ca"], "status", auth=None, expect=EXIT_UNREACHABLE)
    assert "TLS" in r.stderr and "CERTIFICATE_VERIFY_FAILED" in r.stderr
