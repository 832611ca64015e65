"""The HTTP listener's admin API against a running Pier with MQTT and STOMP listeners: every
endpoint of docs/admin-api.yaml exercised and each response checked against the document with
openapi-core, Basic auth against the password file with the ACL file's `admin` grant, and the
refusals (400/401/403/404/405/413/431). Clients are real: stomp.py fills and dead-letters queues,
paho is listed and closed, mosquitto_pub retains."""

from __future__ import annotations

import os
import socket
import subprocess
from urllib.parse import quote

import pytest
import requests
import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_spec_validator import validate as validate_spec

from conftest import HOST, IS_MOSQUITTO, _accepts, free_port, mosquitto_pub, uid, wait_until
from stomp_support import StompTarget, dead_letter, open_connection
from test_12_bridge import Collector, ProtonBroker

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the admin API is Pier's")

SPEC_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "admin-api.yaml")
ADMIN = ("alice", "alice-pw")
NOT_ADMIN = ("bob", "bob-pw")
# Anonymous clients keep every topic; queues stay open (no `queue` line); only alice is an admin.
ADMIN_ACL = "topic readwrite #\n\nuser alice\ntopic readwrite #\nadmin\n\nuser bob\ntopic readwrite #\n"


def load_spec() -> dict:
    with open(SPEC_PATH) as f:
        return yaml.safe_load(f)


def test_the_openapi_document_is_valid():
    validate_spec(load_spec())


class Api:
    """requests against the broker's HTTP port; every response is checked against the document and
    its (method, path template) recorded, so the test can tell that every operation was exercised."""

    def __init__(self, port: int, scheme: str = "http", verify=None):
        self.base = f"{scheme}://{HOST}:{port}"
        spec = load_spec()
        spec["servers"] = [{"url": self.base}]
        self.openapi = OpenAPI.from_dict(spec)
        self.session = requests.Session()
        self.verify = verify
        self.seen: set[tuple[str, str]] = set()
        self.spec = spec

    def call(self, method: str, path: str, auth=ADMIN, **kw) -> requests.Response:
        r = self.session.request(method, self.base + path, auth=auth, timeout=10, verify=self.verify, **kw)
        # Raises with the mismatch when status, headers or body do not match the document.
        result = self.openapi.unmarshal_response(RequestsOpenAPIRequest(r.request), RequestsOpenAPIResponse(r))
        result.raise_for_errors()
        self.seen.add((method.lower(), self._template(path)))
        return r

    def _template(self, path: str) -> str:
        path = path.split("?")[0]
        for template in self.spec["paths"]:
            t, p = template.split("/"), path.split("/")
            if len(t) == len(p) and all(a == b or a.startswith("{") for a, b in zip(t, p)):
                return template
        return path

    def operations(self) -> set[tuple[str, str]]:
        return {(m, p) for p, item in self.spec["paths"].items() for m in item if m != "parameters"}


def pier_passwd(path, user, password, create=False):
    argv = [os.environ["PIER_BIN"], "passwd", *(["-c"] if create else []), "-b", str(path), user, password]
    subprocess.run(argv, check=True, capture_output=True, timeout=30)


def admin_auth(tmp_path, acl_text: str = ADMIN_ACL) -> dict:
    """A password file with alice (admin) and bob (not), and an ACL file: `make_broker` keyword arguments."""
    passwd = tmp_path / "passwd"
    pier_passwd(passwd, *ADMIN, create=True)
    pier_passwd(passwd, *NOT_ADMIN)
    acl = tmp_path / "acl"
    acl.write_text(acl_text)
    return {"password_file": str(passwd), "acl_file": str(acl)}


@pytest.fixture
def upstream():
    """qpid-proton's example broker as the bridge's uplink, and a receiver on `line.a`."""
    broker = ProtonBroker().start()
    collector = Collector(broker, "line.a")
    collector.start()
    yield broker, collector
    collector.stop()
    broker.stop()


@pytest.fixture
def admin_broker(make_broker, tmp_path, upstream):
    auth = admin_auth(tmp_path)
    bridge = tmp_path / "bridge.yaml"
    bridge.write_text(yaml.safe_dump({"name": "up", "uplink": {"addresses": [upstream[0].address], "container_id": uid("gw"),
                                                               "reconnect_initial_delay_ms": 100, "reconnect_max_delay_ms": 500},
                                      "forward": [{"filter": "line/#", "address": "line.{#}"}]}))
    stomp_port, http_port = free_port(), free_port()
    broker = make_broker(
        **auth, bridges=[str(bridge)],
        extra_listeners=[{"protocol": "stomp", "transport": "tcp", "bind": HOST, "port": stomp_port}],
        extra_config={"http": {"bind": HOST, "port": http_port},
                      # One NACK dead-letters, so the test need not loop through redeliveries.
                      "queues": {"defaults": {"max_redeliveries": 0}}})
    assert wait_until(lambda: _accepts(HOST, http_port), 10), broker.stderr()
    return broker, StompTarget(HOST, stomp_port, broker=broker), Api(http_port)


def bridge_state(api: Api) -> dict:
    [state] = api.call("GET", "/api/bridges").json()
    return state


def test_every_endpoint_against_a_running_broker(admin_broker, upstream, peers):
    broker, stomp, api = admin_broker
    _, collector = upstream

    # ---- access
    r = api.call("GET", "/api/broker", auth=None)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Basic realm="pier"'
    r = api.call("GET", "/api/broker", auth=("alice", "wrong"))
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Basic realm="pier"'
    assert api.call("GET", "/api/broker", auth=NOT_ADMIN).status_code == 403
    info = api.call("GET", "/api/broker").json()
    assert info["ha_role"] == "active" and info["data_dir"] == broker.data_dir

    listeners = api.call("GET", "/api/listeners").json()
    assert [(l["protocol"], l["port"]) for l in listeners] == [("mqtt", broker.port), ("stomp", stomp.port)]

    # ---- the bridge: paused, it stores but does not send; resumed, it sends the backlog
    assert wait_until(lambda: bridge_state(api)["connected"], 10), bridge_state(api)
    assert bridge_state(api)["paused"] is False
    assert api.call("POST", "/api/bridges/up/pause").json()["paused"] is True
    mosquitto_pub(broker, "line/a", "held", qos=1)
    assert wait_until(lambda: bridge_state(api)["backlog_messages"] == 1, 10), bridge_state(api)
    assert bridge_state(api)["forwarded"] == 0
    # /metrics shows the same backlog, and that the paused bridge holds it.
    metrics = api.call("GET", "/metrics").text
    assert 'pier_bridge_backlog_messages{bridge="up"} 1' in metrics and 'pier_bridge_paused{bridge="up"} 1' in metrics, metrics
    resumed = api.call("POST", "/api/bridges/up/resume").json()
    assert resumed["paused"] is False and resumed["name"] == "up"
    assert collector.wait_for(1, timeout=10) and collector.payloads() == [b"held"]
    assert wait_until(lambda: bridge_state(api)["forwarded"] == 1, 10)
    metrics = api.call("GET", "/metrics").text
    assert 'pier_bridge_forwarded_total{bridge="up"} 1' in metrics and 'pier_bridge_backlog_messages{bridge="up"} 0' in metrics
    assert api.call("POST", "/api/bridges/nope/pause").status_code == 404

    # ---- a queue filled over STOMP: listed, browsed, purged
    q = uid("orders")
    conn, got = open_connection(stomp)
    for i in range(3):
        conn.send(f"/queue/{q}", f"m{i}", headers={"persistent": "true", "colour": "blue"}, receipt=f"r{i}")
    assert got.wait_receipt("r2")
    [row] = [x for x in api.call("GET", "/api/queues").json() if x["name"] == q]
    assert row["depth"] == 3 and row["consumers"] == 0
    assert api.call("GET", f"/api/queues/{q}").json()["depth"] == 3
    page = api.call("GET", f"/api/queues/{q}/messages?limit=2").json()
    assert [m["payload"] for m in page] == ["m0", "m1"]
    assert page[0]["properties"]["colour"] == "blue" and page[0]["persistent"] is True
    assert api.call("DELETE", f"/api/queues/{q}/messages").json() == {"purged": 3}
    assert api.call("GET", f"/api/queues/{q}").json()["depth"] == 0

    # ---- dead-letter one with a NACK, then move it back where it came from
    poison = uid("jobs")
    dead_letter(stomp, conn, poison, "bad")
    dlq = "ActiveMQ.DLQ"
    assert wait_until(lambda: api.call("GET", f"/api/queues/{dlq}").status_code == 200
                      and api.call("GET", f"/api/queues/{dlq}").json()["depth"] == 1, 10)
    # The consumer must be gone, or the moved message would go straight back to it.
    assert wait_until(lambda: api.call("GET", f"/api/queues/{poison}").json()["consumers"] == 0, 10)
    [dead] = api.call("GET", f"/api/queues/{dlq}/messages").json()
    assert dead["payload"] == "bad" and dead["properties"]["originalDestination"] == f"queue://{poison}"
    assert api.call("POST", f"/api/queues/{dlq}/move?to=original").json() == {"moved": 1}
    assert wait_until(lambda: api.call("GET", f"/api/queues/{poison}").json()["depth"] == 1, 10)
    assert api.call("GET", f"/api/queues/{dlq}").json()["depth"] == 0
    [back] = api.call("GET", f"/api/queues/{poison}/messages").json()
    assert back["payload"] == "bad" and "originalDestination" not in back["properties"]
    # ... and an explicit target
    assert api.call("POST", f"/api/queues/{poison}/move?to={q}").json() == {"moved": 1}
    assert wait_until(lambda: api.call("GET", f"/api/queues/{q}").json()["depth"] == 1, 10)

    # ---- an MQTT client: listed with the STOMP one, its session and topic too, then closed by the API
    client_id = uid("dev")
    paho = peers.paho(broker, client_id, version=4, clean=False)
    paho.connect()
    paho.subscribe("sensors/+/temp", qos=1)
    conns = api.call("GET", "/api/connections").json()
    [mine] = [c for c in conns if c.get("client_id") == client_id]
    assert mine["protocol"] == "mqtt" and mine["listener"] == f"mqtt-{broker.port}"
    assert "127.0.0.1" in mine["remote_address"]
    assert any(c["protocol"] == "stomp" for c in conns)
    [session] = [s for s in api.call("GET", "/api/sessions").json() if s["client_id"] == client_id]
    assert session["connected"] is True and session["subscriptions"] == 1
    assert {"filter": "sensors/+/temp", "subscribers": 1} in api.call("GET", "/api/topics").json()
    assert api.call("DELETE", f"/api/connections/{mine['id']}").status_code == 204
    assert paho.wait_disconnected() is not None, "the client sees the broker close it"
    assert wait_until(lambda: all(c.get("client_id") != client_id for c in api.call("GET", "/api/connections").json()), 10)
    [session] = [s for s in api.call("GET", "/api/sessions").json() if s["client_id"] == client_id]
    assert session["connected"] is False and session["persistent"] is True
    assert api.call("DELETE", f"/api/connections/{mine['id']}").status_code == 404

    # ---- retained: listed and cleared
    topic = f"sensors/{uid('s')}/temp"
    mosquitto_pub(broker, topic, "21.5", qos=1, retain=True)
    [kept] = [m for m in api.call("GET", "/api/retained").json() if m["topic"] == topic]
    assert kept["payload"] == "21.5" and kept["qos"] == 1
    encoded = quote(topic, safe="")
    assert api.call("DELETE", f"/api/retained/{encoded}").status_code == 204
    assert all(m["topic"] != topic for m in api.call("GET", "/api/retained").json())
    assert api.call("DELETE", f"/api/retained/{encoded}").status_code == 404

    conn.disconnect()

    # ---- refusals
    assert api.call("GET", "/api/queues/no-such-queue").status_code == 404
    assert api.call("GET", "/api/queues/no-such-queue/messages").status_code == 404
    assert api.call("DELETE", "/api/queues/no-such-queue/messages").status_code == 404
    assert api.call("POST", "/api/queues/no-such-queue/move?to=x").status_code == 404
    assert api.call("GET", f"/api/queues/{q}/messages?limit=0").status_code == 400
    assert api.call("POST", f"/api/queues/{q}/move").status_code == 400
    r = api.session.get(api.base + "/api/nothing", auth=ADMIN, timeout=10)
    assert r.status_code == 404 and r.json()["error"]
    r = api.session.post(api.base + "/api/broker", auth=ADMIN, timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "GET"

    r = api.call("GET", "/metrics")
    assert r.status_code == 200 and "pier_clients_connected" in r.text
    # The event streams themselves are read in test_32 (a 200 never ends); here their refusals.
    assert api.call("GET", "/api/events", auth=None).status_code == 401
    assert api.call("GET", "/api/events", auth=NOT_ADMIN).status_code == 403
    assert api.call("GET", "/api/tail").status_code == 400
    assert api.call("GET", "/api/tail?topic=a%2F%23%2Fb").status_code == 400
    assert api.call("GET", "/api/tail?topic=x", auth=None).status_code == 401

    assert api.operations() <= api.seen, f"not exercised: {api.operations() - api.seen}"
    broker.assert_alive()


def raw_http(port: int, data: bytes) -> bytes:
    with socket.create_connection((HOST, port), timeout=10) as s:
        s.sendall(data)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


def test_oversized_and_malformed_requests_are_refused(admin_broker):
    broker, _, api = admin_broker
    port = int(api.base.rsplit(":", 1)[1])
    r = api.session.post(api.base + "/api/broker", auth=ADMIN, data=b"x" * (65 * 1024), timeout=10)
    assert r.status_code == 413
    r = api.session.get(api.base + "/api/broker", auth=ADMIN, headers={"X-Big": "a" * (100 * 1024)}, timeout=10)
    assert r.status_code == 431
    assert raw_http(port, b"NOT HTTP AT ALL\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert api.call("GET", "/api/broker").status_code == 200
    broker.assert_alive()


def test_without_a_password_file_every_request_is_unauthorized_unless_anonymous(make_broker):
    closed, open_ = free_port(), free_port()
    make_broker(extra_config={"http": {"bind": HOST, "port": closed}})
    assert wait_until(lambda: _accepts(HOST, closed), 10)
    for auth in (None, ADMIN):
        assert Api(closed).call("GET", "/api/broker", auth=auth).status_code == 401
    make_broker(extra_config={"http": {"bind": HOST, "port": open_, "allow_anonymous": True}})
    assert wait_until(lambda: _accepts(HOST, open_), 10)
    assert Api(open_).call("GET", "/api/broker", auth=None).status_code == 200


def https_admin_broker(make_broker, tmp_path) -> tuple[int, dict]:
    """A broker serving the API over TLS with pki.py's certificates, anonymous access allowed: the
    http port and the pki paths (`ca` signed the broker's certificate, `other_ca` did not)."""
    from pki import make_pki
    pki = make_pki(str(tmp_path))
    port = free_port()
    make_broker(extra_config={"http": {"bind": HOST, "port": port, "allow_anonymous": True,
                                       "tls": {"cert_file": pki["cert"], "key_file": pki["key"]}}})
    assert wait_until(lambda: _accepts(HOST, port), 10)
    return port, pki


def test_https_with_the_listeners_tls_keys(make_broker, tmp_path):
    port, pki = https_admin_broker(make_broker, tmp_path)
    api = Api(port, scheme="https", verify=pki["ca"])
    assert api.call("GET", "/api/listeners", auth=None).status_code == 200
    # An idle TLS connection would hold up the broker's shutdown by NIOSSL's close_notify wait.
    api.session.close()
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"https://{HOST}:{port}/api/broker", timeout=10, verify=pki["other_ca"])
