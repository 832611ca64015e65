"""STOMP login, ACLs per destination, TLS (Amazon MQ's 61614 shape), heart-beats both ways, and a
client that is not Python: Perl's Net::STOMP from Debian."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import stomp

from conftest import HOST, free_port, uid, wait_until
from pki import make_pki
from stomp_support import Collector, StompTarget, open_connection


@pytest.fixture
def secured(make_stomp_broker, tmp_path):
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "alice-pw"], check=True)
    subprocess.run(["mosquitto_passwd", "-b", str(passwd), "bob", "bob-pw"], check=True)
    acl = tmp_path / "acl"
    acl.write_text("user alice\nqueue readwrite orders.>\ntopic readwrite plant/#\n"
                   "user bob\nqueue read orders.>\n")
    return make_stomp_broker(allow_anonymous=False, password_file=str(passwd), acl_file=str(acl))


def test_login_is_checked_against_the_password_file(secured):
    conn, got = open_connection(secured, login="alice", passcode="alice-pw")
    assert conn.is_connected()
    conn.disconnect()
    for login, passcode, fragment in [("alice", "wrong", "Authentication failed"), (None, None, "Not authorized")]:
        c = stomp.Connection12([(secured.host, secured.port)], reconnect_attempts_max=1)
        listener = Collector()
        c.set_listener("c", listener)
        with pytest.raises(Exception):
            c.connect(login, passcode, wait=True)
        err = listener.wait_error(5)
        assert err is not None and fragment in err.headers["message"], err and err.headers


def test_acl_decides_each_destination(secured):
    alice, got_a = open_connection(secured, login="alice", passcode="alice-pw")
    alice.subscribe("/queue/orders.eu", id="1", receipt="ok")
    assert got_a.wait_receipt("ok")
    alice.send("/queue/orders.eu", "o1", receipt="sent")
    assert got_a.wait_receipt("sent")
    assert [m.body for m in got_a.wait_messages(1)] == ["o1"]
    alice.send("/queue/payroll", "no", receipt="denied")
    err = got_a.wait_error()
    assert err is not None and "Not authorized to send to /queue/payroll" in err.headers["message"]
    assert err.headers.get("receipt-id") == "denied"

    bob, got_b = open_connection(secured, login="bob", passcode="bob-pw")
    bob.subscribe("/queue/orders.eu", id="1", receipt="read-ok")
    assert got_b.wait_receipt("read-ok")
    bob.send("/queue/orders.eu", "bob-writes")
    err = got_b.wait_error()
    assert err is not None and "Not authorized" in err.headers["message"], "bob may only read"

    bob2, got_b2 = open_connection(secured, login="bob", passcode="bob-pw")
    bob2.subscribe("/topic/plant.>", id="1")
    err = got_b2.wait_error()
    assert err is not None and "Not authorized to subscribe" in err.headers["message"]


@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="pier-stomp-pki-")
    yield make_pki(d)
    shutil.rmtree(d, ignore_errors=True)


def test_stomp_over_tls(make_stomp_broker, pki):
    port = free_port()
    target = make_stomp_broker(extra_listeners=[{"protocol": "stomp", "transport": "tls", "bind": HOST, "port": port,
                                                 "tls": {"cert_file": pki["cert"], "key_file": pki["key"]}}])
    assert wait_until(lambda: _accepts(port), 10)
    tls = StompTarget(HOST, port, broker=target.broker)
    conn = stomp.Connection12([(HOST, port)], reconnect_attempts_max=1)
    conn.set_ssl(for_hosts=[(HOST, port)], ca_certs=pki["ca"])
    got = Collector()
    conn.set_listener("c", got)
    conn.connect(wait=True)
    q = f"/queue/{uid('tls')}"
    conn.subscribe(q, id="1")
    plain, _ = open_connection(target)
    plain.send(q, "across", receipt="r")
    assert [m.body for m in got.wait_messages(1)] == ["across"]
    conn.disconnect()
    plain.disconnect()
    # Plain STOMP on the TLS port gets nothing and the broker lives on.
    with socket.create_connection((HOST, port), timeout=5) as s:
        s.sendall(b"CONNECT\naccept-version:1.2\n\n\x00")
        s.settimeout(5)
        try:
            data = s.recv(100)
        except (ConnectionResetError, socket.timeout):
            data = b""
        assert not data.startswith(b"CONNECTED")
    assert tls.broker.alive()


def _accepts(port):
    try:
        socket.create_connection((HOST, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_broker_sends_heartbeats_and_closes_a_silent_client(make_stomp_broker):
    target = make_stomp_broker()
    conn = stomp.Connection12([(target.host, target.port)], heartbeats=(500, 500), reconnect_attempts_max=1)
    beats = []

    class L(stomp.ConnectionListener):
        def on_heartbeat(self):
            beats.append(time.monotonic())

    conn.set_listener("hb", L())
    conn.connect(wait=True)
    assert wait_until(lambda: len(beats) >= 2, 15), "the broker's heart-beats arrive"
    conn.disconnect()
    # A raw client that negotiates heart-beats and then says nothing is dropped.
    with socket.create_connection((target.host, target.port), timeout=30) as s:
        s.sendall(b"CONNECT\naccept-version:1.2\nheart-beat:1000,1000\n\n\x00")
        data = b""
        start = time.monotonic()
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        took = time.monotonic() - start
        assert data.startswith(b"CONNECTED")
        assert b"heart-beat:" in data
        assert took < 25, "closed well before the test's own timeout"
    target.broker.assert_alive()


PERL_CLIENT = r'''
use strict; use warnings;
use Net::Stomp;
my ($port, $q) = @ARGV;
my $stomp = Net::Stomp->new({ hostname => "127.0.0.1", port => $port });
$stomp->connect({ login => "guest", passcode => "guest" });
$stomp->send({ destination => $q, body => "from-perl-$_", persistent => "true" }) for 1..3;
$stomp->send_transactional({ destination => $q, body => "in-tx" }) or die "transaction failed";
$stomp->subscribe({ destination => $q, ack => "client", "activemq.prefetchSize" => 1 });
my @got;
while (@got < 4) {
    $stomp->can_read({ timeout => 10 }) or die "timeout";
    my $frame = $stomp->receive_frame;
    next unless $frame->command eq "MESSAGE";
    push @got, $frame->body;
    $stomp->ack({ frame => $frame });
}
$stomp->disconnect;
print join(",", @got), "\n";
'''


def test_perl_net_stomp_send_subscribe_ack_and_transaction(make_stomp_broker, tmp_path):
    target = make_stomp_broker()
    script = tmp_path / "client.pl"
    script.write_text(PERL_CLIENT)
    q = f"/queue/{uid('perl')}"
    r = subprocess.run(["perl", str(script), str(target.port), q], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "from-perl-1,from-perl-2,from-perl-3,in-tx"
