"""Authentication with a mosquitto_passwd file and authorization with a mosquitto ACL file."""

import subprocess

import pytest

import mqttraw as raw
from conftest import uid

RAW_VERSIONS = pytest.mark.parametrize("version", [raw.MQTT311, raw.MQTT5])

ACL = """\
user alice
topic readwrite sensors/#

user bob
topic read sensors/#
topic read audit/#

pattern write devices/%c/#
"""

# CONNACK codes: (MQTT 3.1.1 return code, MQTT 5 reason code)
NOT_AUTHORIZED = {raw.MQTT311: 5, raw.MQTT5: 0x87}
# 3.1.1 return code 4 is "bad user name or password" (MQTT-3.2.2.3); mosquitto 2.0 sends 5 instead.
BAD_PASSWORD = {raw.MQTT311: 4, raw.MQTT5: 0x86}
SUBSCRIBE_DENIED = {raw.MQTT311: 0x80, raw.MQTT5: 0x87}


@pytest.fixture
def auth_broker(make_broker, tmp_path):
    passwd = tmp_path / "passwd"
    # the real tool: mosquitto's hash format is what Pier must read
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "alice-pw"], check=True)
    subprocess.run(["mosquitto_passwd", "-b", str(passwd), "bob", "bob-pw"], check=True)
    acl = tmp_path / "acl"
    acl.write_text(ACL)
    return make_broker(allow_anonymous=False, password_file=str(passwd), acl_file=str(acl))


def login(peers, broker, user, password, version):
    c = peers.raw(broker)
    ack = c.connect(uid(user), version=version, username=user, password=password)
    return c, ack


@RAW_VERSIONS
def test_password_file_accepts_right_password(auth_broker, peers, version):
    c, ack = login(peers, auth_broker, "alice", "alice-pw", version)
    assert ack.code == 0
    c.send(raw.pingreq())
    assert c.recv().type == raw.PINGRESP


@RAW_VERSIONS
def test_wrong_password_refused(auth_broker, peers, version):
    c, ack = login(peers, auth_broker, "alice", "wrong", version)
    assert ack.code == BAD_PASSWORD[version]
    assert c.wait_closed(10) == []


@RAW_VERSIONS
def test_unknown_user_refused(auth_broker, peers, version):
    _, ack = login(peers, auth_broker, "mallory", "alice-pw", version)
    assert ack.code == BAD_PASSWORD[version]


@RAW_VERSIONS
def test_anonymous_refused(auth_broker, peers, version):
    c = peers.raw(auth_broker)
    assert c.connect(uid("anon"), version=version).code == NOT_AUTHORIZED[version]
    assert c.wait_closed(10) == []


@RAW_VERSIONS
def test_acl_subscribe(auth_broker, peers, version):
    c, ack = login(peers, auth_broker, "alice", "alice-pw", version)
    assert ack.code == 0
    assert c.subscribe("sensors/#", 1, version=version, packet_id=1) == [1]
    assert c.subscribe("audit/#", 1, version=version, packet_id=2) == [SUBSCRIBE_DENIED[version]]


def bob_listening(peers, broker, version):
    bob, ack = login(peers, broker, "bob", "bob-pw", version)
    assert ack.code == 0
    assert bob.subscribe("audit/#", 1, version=version, packet_id=1) == [1]
    assert bob.subscribe("sensors/#", 1, version=version, packet_id=2) == [1]
    return bob


def assert_bob_gets_only_sentinel(bob, alice, version):
    """alice publishes an allowed sentinel; bob must see it and nothing denied before it."""
    alice.send(raw.publish("sensors/sentinel", b"ok", qos=1, packet_id=99, version=version))
    assert raw.parse_ack(alice.recv_type(raw.PUBACK)) == (99, 0)
    got = raw.parse_publish(bob.recv_type(raw.PUBLISH, timeout=10), version)
    assert (got.topic, got.payload) == ("sensors/sentinel", b"ok"), "denied message was delivered"


@pytest.mark.parametrize("qos,ack_type", [(1, raw.PUBACK), (2, raw.PUBREC)], ids=["qos1", "qos2"])
def test_v5_denied_publish_acked_with_0x87(auth_broker, peers, qos, ack_type):
    v = raw.MQTT5
    bob = bob_listening(peers, auth_broker, v)
    alice, _ = login(peers, auth_broker, "alice", "alice-pw", v)
    alice.send(raw.publish("audit/forged", b"no", qos=qos, packet_id=7, version=v))
    assert raw.parse_ack(alice.recv_type(ack_type)) == (7, 0x87)
    if qos == 2:
        alice.send(raw.ack(raw.PUBREL, 7, version=v))
        alice.recv_type(raw.PUBCOMP)
    assert_bob_gets_only_sentinel(bob, alice, v)


def test_v311_denied_publish_silently_dropped(auth_broker, peers):
    v = raw.MQTT311
    bob = bob_listening(peers, auth_broker, v)
    alice, _ = login(peers, auth_broker, "alice", "alice-pw", v)
    alice.send(raw.publish("audit/forged", b"no", qos=1, packet_id=7, version=v))
    p = alice.recv_type(raw.PUBACK)
    assert p.body == b"\x00\x07"  # a normal 3.1.1 PUBACK
    assert_bob_gets_only_sentinel(bob, alice, v)


def test_acl_pattern_with_client_id(auth_broker, peers):
    v = raw.MQTT5
    alice = peers.raw(auth_broker)
    assert alice.connect("alice-dev1", version=v, username="alice", password="alice-pw").code == 0
    alice.send(raw.publish("devices/alice-dev1/temp", b"21", qos=1, packet_id=1, version=v))
    # allowed; nobody subscribes, so 0x10 (No matching subscribers) is a valid success code too
    assert raw.parse_ack(alice.recv_type(raw.PUBACK)) in [(1, 0), (1, 0x10)]
    alice.send(raw.publish("devices/other-dev/temp", b"21", qos=1, packet_id=2, version=v))
    assert raw.parse_ack(alice.recv_type(raw.PUBACK)) == (2, 0x87)
