"""The bridge's uplink over amqps (AMQP 1.0 in TLS) against RabbitMQ 3.10's TLS listener.

A throwaway CA and server certificate (localhost, 127.0.0.1) are made with the openssl CLI. Pier
bridges MQTT publishes to RabbitMQ over TLS, and what arrives is read back with pika on RabbitMQ's
plain port. With a CA that did not sign the server's certificate, or a name the certificate does
not carry, the bridge must not connect: nothing arrives, Pier says why and keeps retrying, and
both brokers stay up.
"""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile

import pytest

import mqttraw as raw
from conftest import IS_MOSQUITTO, free_port, uid, wait_until
from pki import make_pki

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the bridge is Pier's")

import pika  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_SCRIPT = os.path.join(REPO, "scripts", "rabbitmq-node.sh")


@pytest.fixture(scope="module")
def pki():
    """test-ca.pem signs server.pem (CN and SAN localhost, SAN IP 127.0.0.1); other-ca.pem signs nothing we use."""
    d = tempfile.mkdtemp(prefix="pier-pki-")
    yield make_pki(d)
    shutil.rmtree(d, ignore_errors=True)


def tls_accepts(port, ca, address="127.0.0.1", client=None):
    """A full TLS handshake with RabbitMQ's listener, checking its certificate against `ca`."""
    ctx = ssl.create_default_context(cafile=ca)
    if client:
        ctx.load_cert_chain(*client)
    try:
        with socket.create_connection((address, port), timeout=2) as s:
            with ctx.wrap_socket(s, server_hostname="localhost"):
                return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def rabbit_tls(pki):
    """One RabbitMQ node with a plain AMQP port and a TLS port, stopped by its own script.

    The TLS port is open on 127.0.0.1 and on 127.0.0.2: the certificate names the first (IP SAN)
    but not the second, so through 127.0.0.2 only the name (server_name) can make it valid.
    """
    work = tempfile.mkdtemp(prefix="pier-rabbit-tls-")
    port, epmd, dist, tls_port = free_port(), free_port(), free_port(), free_port()
    listeners = f"127.0.0.1:{tls_port},127.0.0.2:{tls_port}"
    r = subprocess.run([NODE_SCRIPT, "start", work, str(port), str(epmd), str(dist),
                        listeners, pki["ca"], pki["cert"], pki["key"]], capture_output=True, timeout=120)
    if r.returncode != 0 or not wait_until(lambda: tls_accepts(tls_port, pki["ca"]) and tls_accepts(tls_port, pki["ca"], "127.0.0.2"),
                                           timeout=20, interval=0.2):
        logs = subprocess.run(["bash", "-c", f"tail -n 40 {work}/*.log {work}/log/*.log 2>/dev/null"],
                              capture_output=True, text=True).stdout
        subprocess.run([NODE_SCRIPT, "stop", work], timeout=60)
        shutil.rmtree(work, ignore_errors=True)
        pytest.fail(f"RabbitMQ with TLS did not start:\n{r.stderr.decode()}\n{logs}")
    yield {"port": port, "tls_port": tls_port}
    subprocess.run([NODE_SCRIPT, "stop", work], timeout=60)
    shutil.rmtree(work, ignore_errors=True)


def telemetry_queue(port, key):
    """A pika connection on the plain port and an exclusive queue bound to amq.topic with `key`."""
    conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port,
                                                             credentials=pika.PlainCredentials("guest", "guest")))
    ch = conn.channel()
    queue = ch.queue_declare(queue="", exclusive=True).method.queue
    ch.queue_bind(queue=queue, exchange="amq.topic", routing_key=key)
    return conn, ch, queue


def tls_bridge(make_broker, tmp_path, host, port, tls_yaml):
    bridge = tmp_path / "bridge.yaml"
    bridge.write_text(f"""name: rabbit-tls
uplink:
  addresses: ["{host}:{port}"]
  username: guest
  password: guest
  container_id: {uid('gw')}
  reconnect_initial_delay_ms: 200
  reconnect_max_delay_ms: 1000
  tls:
{tls_yaml}
forward:
  - filter: sensors/+/temp
    address: /exchange/amq.topic/telemetry.{{1}}.temp
""")
    return make_broker(bridges=[str(bridge)])


def publish_qos1(broker, topic, payloads):
    pub = raw.RawClient(broker.host, broker.port)
    assert pub.connect(uid("pub"), version=raw.MQTT5).code == 0
    for i, payload in enumerate(payloads):
        pub.send(raw.publish(topic, payload, qos=1, packet_id=i + 1, version=raw.MQTT5))
        assert pub.recv_type(raw.PUBACK).type == raw.PUBACK
    pub.close()


def pier_log(broker):
    with open(broker._log_path("stderr"), "rb") as f:
        return f.read().decode(errors="replace")


@pytest.mark.parametrize("host,server_name,verify", [
    ("127.0.0.1", None, True),            # no SNI; the certificate's IP SAN names the address
    ("localhost", None, True),            # SNI and the DNS SAN: localhost
    ("127.0.0.2", "localhost", True),     # an address the certificate does not name, but server_name it does
    ("127.0.0.2", None, False),           # verify: false (labs only) takes the certificate of the wrong CA
], ids=["ip-san", "dns-name", "server-name", "no-verify"])
def test_bridge_forwards_over_amqps(make_broker, tmp_path, pki, rabbit_tls, host, server_name, verify):
    device = uid("dev").replace("-", "")
    conn, ch, queue = telemetry_queue(rabbit_tls["port"], f"telemetry.{device}.temp")
    if verify:
        tls_yaml = f"    ca_file: {pki['ca']}\n    verify: true\n"
    else:
        tls_yaml = f"    ca_file: {pki['other_ca']}\n    verify: false\n"
    if server_name:
        tls_yaml += f"    server_name: {server_name}\n"
    broker = tls_bridge(make_broker, tmp_path, host, rabbit_tls["tls_port"], tls_yaml)

    n = 20
    payloads = [f'{{"t":{i}}}' for i in range(n)]
    publish_qos1(broker, f"sensors/{device}/temp", payloads)

    got = []

    def drain():
        method, _, body = ch.basic_get(queue=queue, auto_ack=True)
        if method:
            got.append(body)
        return len(got) >= n

    assert wait_until(drain, timeout=30), f"RabbitMQ got {len(got)} of {n} over amqps:\n{pier_log(broker)[-3000:]}"
    assert got == [p.encode() for p in payloads]
    log = pier_log(broker)
    assert "bridge connected" in log and "amqps" in log, log[-3000:]
    assert "TLS handshake failed" not in log
    conn.close()


@pytest.mark.parametrize("case", ["untrusted-ca", "wrong-name"])
def test_bridge_refuses_a_certificate_it_cannot_verify(make_broker, tmp_path, pki, rabbit_tls, case):
    device = uid("dev").replace("-", "")
    conn, ch, queue = telemetry_queue(rabbit_tls["port"], f"telemetry.{device}.temp")
    if case == "untrusted-ca":
        # The server's certificate is fine, but this CA did not sign it.
        tls_yaml = f"    ca_file: {pki['other_ca']}\n    verify: true\n"
        expected = "CERTIFICATE_VERIFY_FAILED"
    else:
        # Trusted chain, but issued for localhost and 127.0.0.1 only. (NIOSSL accepts an IP SAN that
        # matches the address connected to whatever the name, so this goes through 127.0.0.2.)
        tls_yaml = f"    ca_file: {pki['ca']}\n    server_name: broker.example.com\n"
        expected = "broker.example.com"
    host = "127.0.0.1" if case == "untrusted-ca" else "127.0.0.2"
    broker = tls_bridge(make_broker, tmp_path, host, rabbit_tls["tls_port"], tls_yaml)

    publish_qos1(broker, f"sensors/{device}/temp", [f"m{i}" for i in range(5)])

    # Several attempts with backoff (200 ms, growing to 1 s), each failing in the handshake.
    assert wait_until(lambda: pier_log(broker).count("bridge connect failed") >= 3, timeout=20), pier_log(broker)[-3000:]
    log = pier_log(broker)
    failures = [line for line in log.splitlines() if "bridge connect failed" in line]
    assert all("TLS handshake failed" in line for line in failures), "\n".join(failures)
    assert any(expected in line for line in failures), "\n".join(failures)
    assert "bridge connected" not in log

    method, _, body = ch.basic_get(queue=queue, auto_ack=True)
    assert method is None, f"a message crossed an unverified TLS connection: {body!r}"

    # Nothing fell over: Pier still serves MQTT, RabbitMQ still serves both its ports.
    broker.assert_alive()
    c = raw.RawClient(broker.host, broker.port)
    assert c.connect(uid("alive"), version=raw.MQTT5).code == 0
    c.close()
    assert conn.is_open
    ch.queue_declare(queue="", exclusive=True)
    assert tls_accepts(rabbit_tls["tls_port"], pki["ca"])
    conn.close()


@pytest.fixture(scope="module")
def rabbit_mtls(pki):
    """A second RabbitMQ node whose TLS listener requires a client certificate signed by the test CA."""
    work = tempfile.mkdtemp(prefix="pier-rabbit-mtls-")
    port, epmd, dist, tls_port = free_port(), free_port(), free_port(), free_port()
    client = (pki["client_cert"], pki["client_key"])
    r = subprocess.run([NODE_SCRIPT, "start", work, str(port), str(epmd), str(dist), str(tls_port), pki["ca"], pki["cert"], pki["key"]],
                       capture_output=True, timeout=120, env={**os.environ, "RABBITMQ_TLS_CLIENT_CERT": "required"})
    if r.returncode != 0 or not wait_until(lambda: tls_accepts(tls_port, pki["ca"], client=client), timeout=20, interval=0.2):
        logs = subprocess.run(["bash", "-c", f"tail -n 40 {work}/*.log {work}/log/*.log 2>/dev/null"],
                              capture_output=True, text=True).stdout
        subprocess.run([NODE_SCRIPT, "stop", work], timeout=60)
        shutil.rmtree(work, ignore_errors=True)
        pytest.fail(f"RabbitMQ with mutual TLS did not start:\n{r.stderr.decode()}\n{logs}")
    yield {"port": port, "tls_port": tls_port}
    subprocess.run([NODE_SCRIPT, "stop", work], timeout=60)
    shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("with_certificate", [True, False], ids=["client-cert", "no-client-cert"])
def test_mutual_tls_needs_the_gateway_certificate(make_broker, tmp_path, pki, rabbit_mtls, with_certificate):
    device = uid("dev").replace("-", "")
    conn, ch, queue = telemetry_queue(rabbit_mtls["port"], f"telemetry.{device}.temp")
    tls_yaml = f"    ca_file: {pki['ca']}\n"
    if with_certificate:
        tls_yaml += f"    cert_file: {pki['client_cert']}\n    key_file: {pki['client_key']}\n"
    broker = tls_bridge(make_broker, tmp_path, "127.0.0.1", rabbit_mtls["tls_port"], tls_yaml)
    payloads = [f"m{i}" for i in range(10)]
    publish_qos1(broker, f"sensors/{device}/temp", payloads)

    if with_certificate:
        got = []

        def drain():
            method, _, body = ch.basic_get(queue=queue, auto_ack=True)
            if method:
                got.append(body)
            return len(got) >= len(payloads)

        assert wait_until(drain, timeout=30), f"RabbitMQ got {len(got)} over mutual TLS:\n{pier_log(broker)[-3000:]}"
        assert got == [p.encode() for p in payloads]
    else:
        # The server refuses the handshake (or drops the connection right after it): never connected for good.
        assert wait_until(lambda: pier_log(broker).count("bridge connect failed") >= 2, timeout=20), pier_log(broker)[-3000:]
        method, _, body = ch.basic_get(queue=queue, auto_ack=True)
        assert method is None, f"a message crossed without the client certificate: {body!r}"
        broker.assert_alive()
    conn.close()
