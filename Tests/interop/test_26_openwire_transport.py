"""OpenWire transport concerns with real clients: TLS (`transport: tls`, Amazon MQ's ssl:// on 61617) with
Debian's ActiveMQ 5.17.2 JMS client, and the inactivity protocol (trap 2 of issue #13): Pier writes its own
KeepAliveInfo often enough for a client with a short maxInactivityDuration, and drops a peer that falls
silent, as ActiveMQ's InactivityMonitor does."""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time

import pytest

from conftest import HOST, IS_MOSQUITTO, _accepts, free_port, wait_until
from jms_support import java, jms_classes  # noqa: F401 (jms_classes is a fixture)
from pki import make_pki
from test_23_openwire import openwire  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto has no OpenWire listener")

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "PierOpenWireTests", "Fixtures")
KEEP_ALIVE_INFO, CONNECTION_ERROR = 10, 16


def run_jms(classes: str, *args: str, jvm: tuple[str, ...] = (), timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(java(classes, *jvm, *args), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PIER_JMS_TIMEOUT": "60"})


def verdict(r: subprocess.CompletedProcess) -> str:
    lines = r.stdout.strip().splitlines()
    return lines[-1] if lines else ""


# --------------------------------------------------------------------------- TLS

@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="pier-pki-")
    yield make_pki(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def truststore(pki):
    """The test CA in a PKCS12 truststore, which is what Java reads."""
    path = os.path.join(pki["dir"], "trust.p12")
    r = subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "test-ca", "-file", pki["ca"], "-keystore", path,
                        "-storetype", "PKCS12", "-storepass", "changeit"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return ("-Djavax.net.ssl.trustStore=" + path, "-Djavax.net.ssl.trustStoreType=PKCS12",
            "-Djavax.net.ssl.trustStorePassword=changeit")


@pytest.fixture
def openwire_tls(make_broker, pki):
    port = free_port()
    b = make_broker(extra_listeners=[{"protocol": "openwire", "transport": "tls", "bind": HOST, "port": port,
                                      "allow_anonymous": True, "tls": {"cert_file": pki["cert"], "key_file": pki["key"]}}])
    assert wait_until(lambda: _accepts(HOST, port), 10), b.stderr()
    b.ssl_url = f"ssl://{HOST}:{port}"
    return b


@pytest.mark.parametrize("scenario", ["types", "large"])
def test_jms_over_tls_sends_and_receives(openwire_tls, jms_classes, truststore, scenario):
    """Every message type and a 1 MiB message (many TLS records per frame) through ssl://, the client checking
    Pier's certificate (SAN IP 127.0.0.1) against the test CA."""
    r = run_jms(jms_classes, "PierJms", scenario, openwire_tls.ssl_url, jvm=truststore)
    assert r.returncode == 0 and verdict(r).startswith(f"PASS {scenario}"), \
        f"{r.stdout}\n{r.stderr[-4000:]}\nbroker:\n{openwire_tls.stderr()[-2000:]}"


def test_jms_over_tls_refuses_a_broker_it_cannot_verify(openwire_tls, jms_classes):
    """Control: without the test CA in its truststore the client must not get through, so the passing runs
    above really verified Pier's certificate."""
    r = run_jms(jms_classes, "PierJmsTool", "send", openwire_tls.ssl_url, "queue://ow.tls.control", "x", timeout=60)
    assert r.returncode != 0, r.stdout
    # The JDK reports the failed verification as the handshake exception, or (when the client's write races
    # its own fatal alert) as the SSL socket's "Connection or outbound has closed".
    assert any(s in r.stderr for s in ("SSLHandshakeException", "PKIX", "Connection or outbound has closed")), r.stderr[-3000:]
    openwire_tls.assert_alive()


# --------------------------------------------------------------------------- inactivity

def test_a_jms_client_with_a_short_inactivity_duration_survives_an_idle_spell(openwire, jms_classes):
    url = openwire.openwire_url + "?wireFormat.maxInactivityDuration=1500"
    r = run_jms(jms_classes, "PierJms", "idle", url, "5000")
    assert r.returncode == 0 and verdict(r).startswith("PASS idle"), f"{r.stdout}\n{r.stderr[-4000:]}\n{openwire.stderr()[-2000:]}"


def fixture_frame(name: str) -> bytes:
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def with_long(frame: bytes, key: str, value: int) -> bytes:
    """The client's WireFormatInfo with one long property changed (marshalled map: UTF key, type 6, 8 bytes)."""
    marker = struct.pack(">H", len(key)) + key.encode() + b"\x06"
    i = frame.index(marker) + len(marker)
    return frame[:i] + struct.pack(">q", value) + frame[i + 8:]


def read_frame(sock: socket.socket) -> bytes | None:
    def exactly(n: int) -> bytes | None:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data
    head = exactly(4)
    if head is None:
        return None
    return exactly(struct.unpack(">I", head)[0])


def test_pier_sends_keepalives_on_its_own_and_drops_a_silent_peer(openwire):
    """A raw client negotiates a 1 s MaxInactivityDuration (no initial delay), registers its connection and then
    says nothing more: Pier's own KeepAliveInfo arrives unprompted, and later Pier gives up on the silent peer
    with a ConnectionError and closes, as ActiveMQ's InactivityMonitor does."""
    port = int(openwire.openwire_url.rsplit(":", 1)[1])
    hello = fixture_frame("basic-c0-c2b-0000-t1-WireFormatInfo.bin")
    hello = with_long(hello, "MaxInactivityDuration", 1000)
    hello = with_long(hello, "MaxInactivityDurationInitalDelay", 0)
    register = fixture_frame("basic-c0-c2b-0001-t3-ConnectionInfo.bin")
    sock = socket.create_connection((HOST, port), timeout=10)
    try:
        sock.sendall(hello + register)
        types, error = [], b""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                frame = read_frame(sock)
            except (ConnectionResetError, socket.timeout):
                frame = None
            if frame is None:
                break
            types.append(frame[0])
            if frame[0] == CONNECTION_ERROR:
                error = frame
        else:
            pytest.fail(f"Pier never closed the silent connection; frames: {types}")
        # ConnectionControl (18) before the Response, as ActiveMQ answers a manageable client.
        assert types[:4] == [1, 2, 18, 30], f"WireFormatInfo, BrokerInfo, ConnectionControl, Response expected first: {types}"
        assert KEEP_ALIVE_INFO in types[4:], f"no KeepAliveInfo from Pier while the client was silent: {types}"
        assert types[-1] == CONNECTION_ERROR and b"inactive" in error, f"closed without the inactivity error: {types} {error!r}"
    finally:
        sock.close()
    openwire.assert_alive()
