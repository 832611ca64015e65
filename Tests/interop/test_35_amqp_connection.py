"""AMQP 1.0 at the connection level: SASL against the password file, amqps, bad input closing with
an AMQP error, idle-timeout heartbeats, transactions through the coordinator, accepted persistent
transfers across kill -9, and Debian's qpid-proton C `send`/`receive` examples as a second client."""

from __future__ import annotations

import subprocess

import pytest
from proton import ConnectionException, Message
from proton.utils import BlockingConnection, LinkDetached, SendException

from amqp_support import (AMQP_HEADER, OPEN, PROTON_RECEIVE, PROTON_SEND, SASL_HEADER, TxClient, connect, frame,
                          raw_frames, run_tx, start_amqp)
from conftest import HOST, IS_MOSQUITTO, free_port, uid

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto has no AMQP listener")


@pytest.fixture
def amqp(make_broker):
    return start_amqp(make_broker)


# --------------------------------------------------------------------------- connection level

def test_sasl_plain_checks_the_password_file(make_broker, tmp_path):
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "alice-pw"], check=True)
    acl = tmp_path / "acl"
    acl.write_text("user alice\nqueue readwrite amqp.>\n")
    b = start_amqp(make_broker, allow_anonymous=False, password_file=str(passwd), acl_file=str(acl))
    q = "amqp." + uid("sasl")
    good = BlockingConnection(b.url, timeout=10, user="alice", password="alice-pw", allowed_mechs="PLAIN")
    good.create_sender(q).send(Message(body="authenticated"))
    # The ACL decides each link and each relayed message.
    with pytest.raises(LinkDetached) as refused:
        good.create_sender("payroll")
    assert "amqp:unauthorized-access" in str(refused.value)
    relay = good.create_sender(None)
    with pytest.raises(SendException):
        relay.send(Message(address="payroll", body="no"))
    relay.send(Message(address=q, body="yes"))
    good.close()
    with pytest.raises(ConnectionException):
        BlockingConnection(b.url, timeout=10, user="alice", password="wrong", allowed_mechs="PLAIN").create_sender(q)
    with pytest.raises(ConnectionException):
        BlockingConnection(b.url, timeout=10, allowed_mechs="ANONYMOUS").create_sender(q)
    # Without SASL at all, the AMQP header is answered with an open and a close naming the refusal.
    reply = raw_frames(b.amqp_port, AMQP_HEADER + frame(OPEN))
    assert reply.startswith(AMQP_HEADER) and b"amqp:unauthorized-access" in reply


def test_sasl_mechanisms_offered_follow_allow_anonymous(make_broker):
    b = start_amqp(make_broker)
    reply = raw_frames(b.amqp_port, SASL_HEADER, timeout=1.0)
    assert reply.startswith(SASL_HEADER) and b"PLAIN" in reply and b"ANONYMOUS" in reply


@pytest.mark.parametrize("bad,condition", [
    # begin whose list holds the unknown format code 0xff
    (frame(b"\x00\x53\x11\xc0\x02\x01\xff"), b"amqp:decode-error"),
    # a performative descriptor Pier does not know
    (frame(b"\x00\x53\x7f\x45"), b"amqp:decode-error"),
    # a frame size below the 8-byte header
    (b"\x00\x00\x00\x04\x02\x00\x00\x00", b"amqp:connection:framing-error"),
], ids=["bad-type", "unknown-performative", "short-frame"])
def test_bad_input_closes_with_an_error_and_the_broker_lives_on(amqp, bad, condition):
    reply = raw_frames(amqp.amqp_port, AMQP_HEADER + frame(OPEN) + bad)
    assert reply.startswith(AMQP_HEADER)
    assert b"\x00\x53\x18" in reply, "a close performative is sent"
    assert condition in reply
    c = connect(amqp)
    c.create_sender(uid("amqp.alive")).send(Message(body="still serving"))
    c.close()
    amqp.assert_alive()


def test_idle_timeout_heartbeats_keep_a_quiet_connection_open(amqp):
    c = BlockingConnection(amqp.url, timeout=10, heartbeat=1)
    with pytest.raises(Exception):
        # Nothing but heartbeats for 3 s: the client would close if Pier stayed silent beyond 1 s.
        c.wait(lambda: False, timeout=3)
    q = uid("amqp.hb")
    c.create_sender(q).send(Message(body="after the quiet"))
    c.close()


def test_transactions_through_the_coordinator(amqp):
    q = uid("amqp.tx")
    assert run_tx(TxClient(amqp.url, q, send=3, commit=False)).outcome == "aborted"
    assert run_tx(TxClient(amqp.url, q, send=3, commit=True)).outcome == "committed"
    # A receive whose acks are rolled back leaves the messages in the queue.
    aborted = run_tx(TxClient(amqp.url, q, receive=3, commit=False))
    assert (aborted.outcome, aborted.got) == ("aborted", ["tx0", "tx1", "tx2"]), "only the committed sends arrived"
    committed = run_tx(TxClient(amqp.url, q, receive=3, commit=True))
    assert (committed.outcome, committed.got) == ("committed", ["tx0", "tx1", "tx2"])
    c = connect(amqp)
    r = c.create_receiver(q)
    with pytest.raises(Exception):
        r.receive(timeout=0.5)
    c.close()


def test_amqps_with_sasl_plain_over_tls(make_broker, tmp_path):
    from proton import SSLDomain
    from pki import make_pki
    pki = make_pki(str(tmp_path))
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "alice-pw"], check=True)
    port = free_port()
    b = make_broker(allow_anonymous=False, password_file=str(passwd), extra_listeners=[
        {"protocol": "amqp", "transport": "tls", "bind": HOST, "port": port, "allow_anonymous": False,
         "tls": {"cert_file": pki["cert"], "key_file": pki["key"]}}])
    domain = SSLDomain(SSLDomain.MODE_CLIENT)
    domain.set_trusted_ca_db(pki["ca"])
    domain.set_peer_authentication(SSLDomain.VERIFY_PEER_NAME)
    q = uid("amqps.q")
    c = BlockingConnection(f"amqps://localhost:{port}", timeout=10, ssl_domain=domain, user="alice", password="alice-pw",
                           allowed_mechs="PLAIN")
    c.create_sender(q).send(Message(body="over tls", durable=True))
    r = c.create_receiver(q)
    assert r.receive(timeout=10).body == "over tls"
    r.accept()
    c.close()
    b.assert_alive()


# --------------------------------------------------------------------------- durability

def test_accepted_persistent_transfers_survive_kill_9(make_broker):
    b = start_amqp(make_broker)
    q = uid("amqp.k9")
    c = connect(b)
    s = c.create_sender(q)
    for i in range(200):
        s.send(Message(body=f"m{i}", durable=True))  # returns once Pier settled it as accepted
    b.kill9()
    b.start()
    c = connect(b)
    r = c.create_receiver(q, credit=250)
    got = [r.receive(timeout=10).body for _ in range(200)]
    r.accept()
    assert got == [f"m{i}" for i in range(200)]
    c.close()


# --------------------------------------------------------------------------- a second client: qpid-proton C

def test_proton_c_send_and_receive_examples(amqp):
    q = uid("amqp.c")
    for tool in (PROTON_SEND, PROTON_RECEIVE):
        assert __import__("os").access(tool, __import__("os").X_OK), f"{tool} missing: run scripts/build-proton-broker.sh"
    sent = subprocess.run([PROTON_SEND, HOST, str(amqp.amqp_port), q, "100"], capture_output=True, text=True, timeout=30)
    assert sent.returncode == 0 and "100 messages sent and acknowledged" in sent.stdout, sent.stdout + sent.stderr
    got = subprocess.run([PROTON_RECEIVE, HOST, str(amqp.amqp_port), q, "100"], capture_output=True, text=True, timeout=30)
    assert got.returncode == 0 and "100 messages received" in got.stdout, got.stdout + got.stderr
    # The map bodies come back as they were sent.
    assert '{"sequence"=1}' in got.stdout and '{"sequence"=100}' in got.stdout
