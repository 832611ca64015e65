"""Raw protocol violations. Each case asserts the exact reaction, then that the broker
still serves new clients.

Reactions: in MQTT 3.1.1 a violation means the server closes the connection without a
reply; in MQTT 5 the server SHOULD send DISCONNECT with the reason code before closing
(MQTT 5.0 section 4.13.1) and Pier does.
"""

import struct

import pytest

import mqttraw as raw
from conftest import assert_serving, uid

RAW_VERSIONS = pytest.mark.parametrize("version", [raw.MQTT311, raw.MQTT5])

MALFORMED, PROTOCOL_ERROR, TOPIC_NAME_INVALID, PACKET_TOO_LARGE = 0x81, 0x82, 0x90, 0x95


def connected(broker, peers, version):
    c = peers.raw(broker)
    assert c.connect(uid("bad"), version=version).code == 0
    return c


def assert_rejected(c, version, v5_reason):
    """3.1.1: closed with no reply. 5: DISCONNECT(v5_reason), then closed."""
    got = c.wait_closed(10)
    if version == raw.MQTT311:
        assert got == [], f"expected a silent close, got {got}"
    else:
        assert got and got[-1].type == raw.DISCONNECT, f"expected DISCONNECT, got {got}"
        assert raw.disconnect_reason(got[-1]) == v5_reason, f"{raw.disconnect_reason(got[-1]):#x}"


@pytest.fixture
def check_survives(broker, peers):
    yield
    assert_serving(broker, peers)


def test_unknown_protocol_level(broker, peers, check_survives):
    # MQTT 3.1.1 section 3.1.2.2 [MQTT-3.1.2-2]: the server MUST answer an unsupported protocol
    # level with CONNACK return code 0x01 and close.  MQTT 5.0 [MQTT-3.1.2-2] lets a v5 server
    # answer with CONNACK 0x84 (Unsupported Protocol Version) instead.  A client announcing
    # level 6 speaks neither, so either reply is conformant (mosquitto sends the 3.1.1 form,
    # 20 02 00 01); silence is not, because 3.1.1 makes the CONNACK mandatory.
    c = peers.raw(broker)
    c.send(raw.connect(uid("lvl6"), version=6))
    got = c.wait_closed(10)
    assert len(got) == 1 and got[0].type == raw.CONNACK, got
    assert got[0].body[1] in (0x01, 0x84), got


@pytest.mark.parametrize("first", ["pingreq", "subscribe", "publish"])
def test_packet_before_connect_closes(broker, peers, check_survives, first):
    data = {
        "pingreq": raw.pingreq(),
        "subscribe": raw.subscribe(1, [("a/#", 0)]),
        "publish": raw.publish("a/b", b"x"),
    }[first]
    c = peers.raw(broker)
    c.send(data)
    assert c.wait_closed(10) == []


@RAW_VERSIONS
def test_second_connect(broker, peers, check_survives, version):
    c = connected(broker, peers, version)
    c.send(raw.connect(uid("again"), version=version))
    assert_rejected(c, version, PROTOCOL_ERROR)


@RAW_VERSIONS
@pytest.mark.parametrize("topic", ["a/+", "a/#", "+"])
def test_publish_to_wildcard_topic(broker, peers, check_survives, version, topic):
    c = connected(broker, peers, version)
    c.send(raw.publish(topic, b"x", qos=1, version=version))
    assert_rejected(c, version, TOPIC_NAME_INVALID)


RESERVED_FLAG_VIOLATIONS = {
    "subscribe_flags_0": lambda v: raw.subscribe(1, [("a/b", 0)], version=v, flags=0x00),
    "pubrel_flags_0": lambda v: raw.packet(raw.PUBREL, 0x00, struct.pack("!H", 1)),
    "pingreq_flags_1": lambda v: raw.packet(raw.PINGREQ, 0x01, b""),
    "publish_qos_3": lambda v: raw.publish("a/b", b"x", packet_id=1, version=v, flags=0x06),
    "disconnect_flags_f": lambda v: raw.packet(raw.DISCONNECT, 0x0F, b""),
}


@RAW_VERSIONS
@pytest.mark.parametrize("case", sorted(RESERVED_FLAG_VIOLATIONS))
def test_reserved_flag_violation(broker, peers, check_survives, version, case):
    c = connected(broker, peers, version)
    c.send(RESERVED_FLAG_VIOLATIONS[case](version))
    assert_rejected(c, version, MALFORMED)


@RAW_VERSIONS
def test_five_byte_remaining_length(broker, peers, check_survives, version):
    c = connected(broker, peers, version)
    c.send(bytes([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) + b"\x00" * 16)
    assert_rejected(c, version, MALFORMED)


@RAW_VERSIONS
def test_oversized_packet_rejected_from_header(make_broker, peers, version):
    broker = make_broker(limits={"max_packet_size": 1024})
    c = connected(broker, peers, version)
    # announce 2 MB but send only a little: the broker must act on the length alone
    c.send(bytes([0x30]) + raw.varint(2_000_000) + b"\x00\x03a/b")
    assert_rejected(c, version, PACKET_TOO_LARGE)
    assert_serving(broker, peers)


def test_duplicate_property_is_protocol_error(broker, peers, check_survives):
    c = connected(broker, peers, raw.MQTT5)
    dup = [(raw.MESSAGE_EXPIRY_INTERVAL, 10), (raw.MESSAGE_EXPIRY_INTERVAL, 20)]
    c.send(raw.publish("dup/prop", b"x", qos=1, version=raw.MQTT5, props=dup))
    assert_rejected(c, raw.MQTT5, PROTOCOL_ERROR)


def test_duplicate_connect_property_refused(broker, peers, check_survives):
    c = peers.raw(broker)
    dup = [(raw.SESSION_EXPIRY_INTERVAL, 10), (raw.SESSION_EXPIRY_INTERVAL, 20)]
    c.send(raw.connect(uid("dupc"), version=raw.MQTT5, props=dup))
    got = c.wait_closed(10)
    # a CONNECT error is answered with CONNACK (not DISCONNECT), reason 0x82, or a plain close
    assert len(got) <= 1, got
    if got:
        assert raw.parse_connack(got[0], raw.MQTT5).code == PROTOCOL_ERROR
