"""MQTT over TLS (`transport: tls`, mosquitto's port 8883) with real clients.

A throwaway CA signs the broker's certificate (localhost, 127.0.0.1) and a client certificate.
Each broker has a plain MQTT listener and a TLS one; messages cross between the two. A client
with the wrong CA, a client without a certificate where one is required, plain MQTT or garbage
on the TLS port and a client that never starts the handshake are all just dropped, and the
broker keeps serving everyone else.
"""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from types import SimpleNamespace

import pytest

import mqttraw as raw
import paho.mqtt.client as mqtt
from conftest import IS_MOSQUITTO, assert_serving, free_port, mosquitto_pub, uid, wait_until
from pki import make_pki

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the TLS listener config is Pier's")


@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="pier-pki-")
    yield make_pki(d)
    shutil.rmtree(d, ignore_errors=True)


def tls_broker(make_broker, pki, *, require_client_cert=False, client_ca=False, connect_timeout=10):
    """A broker with its plain listener and a TLS one; returns (broker, tls endpoint).
    `client_ca` sets ca_file without requiring a client certificate."""
    port = free_port()
    tls = {"cert_file": pki["cert"], "key_file": pki["key"]}
    if require_client_cert:
        tls.update(ca_file=pki["ca"], require_client_cert=True)
    elif client_ca:
        tls.update(ca_file=pki["ca"])
    broker = make_broker(limits={"connect_timeout": connect_timeout},
                         extra_listeners=[{"name": "mqtts", "transport": "tls", "bind": "127.0.0.1",
                                           "port": port, "tls": tls}])
    assert wait_until(lambda: port_open(port), timeout=5), broker.stderr()
    # localhost: the name in the certificate that every client checks
    return broker, SimpleNamespace(host="localhost", port=port)


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def tls_args(ca, cert=None, key=None):
    args = ["--cafile", ca]
    if cert:
        args += ["--cert", cert, "--key", key]
    return args


def read_until_closed(sock, timeout):
    """Bytes the broker sent before closing; raises socket.timeout if it stays open."""
    deadline = time.monotonic() + timeout
    got = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout(f"still open after {timeout}s")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return got
        if not chunk:
            return got
        got += chunk


@pytest.mark.parametrize("version", ["mqttv311", "mqttv5"])
def test_mosquitto_clients_across_tls_and_plain(make_broker, peers, pki, version):
    broker, tls = tls_broker(make_broker, pki)
    topic = uid("tls/t")

    # TLS publisher → plain subscriber
    plain_sub = peers.sub(broker, topic, version=version, qos=1).wait_subscribed()
    mosquitto_pub(tls, topic, "over-tls", version=version, qos=1, extra=tls_args(pki["ca"]))
    got = plain_sub.wait_messages(1)
    assert [(m.payload, m.qos) for m in got] == [("over-tls", 1)]

    # plain publisher → TLS subscriber
    back = uid("tls/b")
    tls_sub = peers.sub(tls, back, version=version, qos=1, extra=tls_args(pki["ca"])).wait_subscribed()
    mosquitto_pub(broker, back, "to-tls", version=version, qos=1)
    got = tls_sub.wait_messages(1)
    assert [(m.payload, m.qos) for m in got] == [("to-tls", 1)]
    broker.assert_alive()


def test_paho_v5_round_trip_over_tls(make_broker, peers, pki):
    broker, tls = tls_broker(make_broker, pki)
    c = peers.paho(tls, version=5)
    c.client.tls_set(ca_certs=pki["ca"])
    c.connect()
    topic = uid("tls/paho")
    assert not c.subscribe(topic, qos=1)[0].is_failure
    c.publish(topic, b"round-trip", qos=1)
    got = c.wait_messages(1)
    assert [(m.topic, m.payload, m.qos) for m in got] == [(topic, b"round-trip", 1)]
    # and a plain client sees what the TLS client publishes
    plain = peers.connected(broker)
    plain.subscribe(topic + "/x", qos=1)
    c.publish(topic + "/x", b"cross", qos=1)
    assert [m.payload for m in plain.wait_messages(1)] == [b"cross"]


def test_wrong_ca_fails_and_broker_lives(make_broker, peers, pki):
    broker, tls = tls_broker(make_broker, pki)
    r = subprocess.run(["mosquitto_pub", "-h", tls.host, "-p", str(tls.port), "-t", "x", "-m", "y", "-q", "1",
                        *tls_args(pki["other_ca"])], capture_output=True, timeout=20)
    assert r.returncode != 0, r
    c = peers.paho(tls, version=5)
    c.client.tls_set(ca_certs=pki["other_ca"])
    with pytest.raises(ssl.SSLCertVerificationError):
        c.client.connect(tls.host, tls.port)
    assert_serving(broker, peers)
    mosquitto_pub(tls, uid("ok"), "fine", qos=1, extra=tls_args(pki["ca"]))


def test_required_client_certificate(make_broker, peers, pki):
    broker, tls = tls_broker(make_broker, pki, require_client_cert=True)
    topic = uid("mtls")
    sub = peers.sub(tls, topic, qos=1, extra=tls_args(pki["ca"], pki["client_cert"], pki["client_key"])).wait_subscribed()
    mosquitto_pub(broker, topic, "for-gateway", qos=1)
    assert [m.payload for m in sub.wait_messages(1)] == ["for-gateway"]

    # without a certificate: no session, mosquitto_sub gives up (-C 1 -W 5 bounds it either way)
    argv = ["mosquitto_sub", "-h", tls.host, "-p", str(tls.port), "-t", topic, "-C", "1", "-W", "5",
            *tls_args(pki["ca"])]
    no_cert = peers.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mosquitto_pub(broker, topic, "not-for-you", qos=1)
    out, err = no_cert.communicate(timeout=20)
    assert no_cert.returncode != 0 and b"not-for-you" not in out, (no_cert.returncode, out, err)

    # a raw TLS client without a certificate is refused too
    assert tls_mqtt_connect(pki, tls) is None
    # and so is one with a well-formed client certificate from another CA
    assert tls_mqtt_connect(pki, tls, cert=pki["foreign_cert"], key=pki["foreign_key"]) is None
    # while our own certificate still works over the same raw path
    assert tls_mqtt_connect(pki, tls, cert=pki["client_cert"], key=pki["client_key"]) == 0
    assert_serving(broker, peers)
    assert [m.payload for m in sub.wait_messages(2, timeout=1)] == ["for-gateway", "not-for-you"]


def tls_mqtt_connect(pki, tls, cert=None, key=None):
    """TLS handshake (optionally with a client certificate), then MQTT CONNECT: the CONNACK code,
    or None when the broker refused the connection at the TLS level."""
    ctx = ssl.create_default_context(cafile=pki["ca"])
    if cert:
        ctx.load_cert_chain(cert, key)
    try:
        with socket.create_connection(("127.0.0.1", tls.port), timeout=5) as s:
            with ctx.wrap_socket(s, server_hostname="localhost") as t:
                # TLS 1.3: the server's verdict on the client certificate arrives after the client's handshake
                t.sendall(raw.connect(uid("tls")))
                t.settimeout(10)
                head = t.recv(4)
                if not head:
                    return None
                assert head[0] >> 4 == raw.CONNACK, head
                return head[3]
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
        return None


def test_optional_client_certificate_must_verify_when_presented(make_broker, peers, pki):
    """ca_file without require_client_cert: no certificate is fine, ours is fine, a foreign one is refused
    (README: "one that is presented must verify against these roots")."""
    broker, tls = tls_broker(make_broker, pki, client_ca=True)
    assert tls_mqtt_connect(pki, tls) == 0
    assert tls_mqtt_connect(pki, tls, cert=pki["client_cert"], key=pki["client_key"]) == 0
    assert tls_mqtt_connect(pki, tls, cert=pki["foreign_cert"], key=pki["foreign_key"]) is None
    # mosquitto_pub with the foreign certificate is refused the same way
    r = subprocess.run(["mosquitto_pub", "-h", tls.host, "-p", str(tls.port), "-t", "x", "-m", "y", "-q", "1",
                        *tls_args(pki["ca"], pki["foreign_cert"], pki["foreign_key"])], capture_output=True, timeout=20)
    assert r.returncode != 0, r
    assert_serving(broker, peers)


@pytest.mark.parametrize("what", ["mqtt_connect", "garbage", "http"])
def test_plain_bytes_on_tls_port_close_only_that_connection(make_broker, peers, pki, what):
    broker, tls = tls_broker(make_broker, pki)
    # a TLS client that stays connected throughout
    c = peers.paho(tls, version=5)
    c.client.tls_set(ca_certs=pki["ca"])
    c.connect()
    topic = uid("survivor")
    c.subscribe(topic, qos=1)

    data = {"mqtt_connect": raw.connect(uid("plain"), version=raw.MQTT5),
            "garbage": b"\x00" + os.urandom(300),
            "http": b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"}[what]
    with socket.create_connection(("127.0.0.1", tls.port), timeout=5) as s:
        s.sendall(data)
        got = read_until_closed(s, 10)
    # at most a TLS alert (content type 21), never an MQTT CONNACK
    assert got == b"" or got[0] == 0x15, got[:16]

    assert_serving(broker, peers)
    mosquitto_pub(broker, topic, "still-here", qos=1)
    assert [m.payload for m in c.wait_messages(1)] == [b"still-here"]


def test_silent_client_on_tls_port_dropped_within_connect_timeout(make_broker, peers, pki):
    broker, tls = tls_broker(make_broker, pki, connect_timeout=2)
    with socket.create_connection(("127.0.0.1", tls.port), timeout=5) as s:
        start = time.monotonic()
        got = read_until_closed(s, 15)
        elapsed = time.monotonic() - start
    assert got == b"" or got[0] == 0x15, got[:16]
    assert 1.5 <= elapsed <= 6.0, f"closed after {elapsed:.2f}s"

    # a client that completes TLS but never sends CONNECT is dropped the same way
    ctx = ssl.create_default_context(cafile=pki["ca"])
    with socket.create_connection(("127.0.0.1", tls.port), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            start = time.monotonic()
            t.settimeout(15)
            try:
                assert t.recv(1) == b""
            except (ConnectionResetError, ssl.SSLEOFError):
                pass
            elapsed = time.monotonic() - start
    assert 1.0 <= elapsed <= 6.0, f"closed after {elapsed:.2f}s"
    assert_serving(broker, peers)


def test_missing_certificate_file_stops_startup_with_the_key(tmp_path, pki):
    binary = os.environ.get("PIER_BIN")
    config = tmp_path / "config.yaml"
    config.write_text(f"data_dir: {tmp_path}/data\nlisteners:\n  - port: {free_port()}\n"
                      f"  - transport: tls\n    port: {free_port()}\n"
                      f"    tls: {{cert_file: {tmp_path}/nope.pem, key_file: {pki['key']}}}\n")
    r = subprocess.run([binary, "serve", "--config", str(config)], capture_output=True, text=True, timeout=20)
    assert r.returncode == 1, r
    assert f"listeners[1].tls.cert_file: cannot read certificate file {tmp_path}/nope.pem" in r.stderr, r.stderr
    assert "Fatal error" not in r.stderr
