"""A tiny raw MQTT 3.1 / 3.1.1 / 5.0 packet builder and parser for black-box tests.

It builds packets byte by byte so tests can send exactly what they want,
including deliberately malformed packets, and read the broker's reaction.
Nothing here validates what it sends.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass, field

# Packet types (high nibble of the fixed header).
CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK = 8, 9, 10, 11
PINGREQ, PINGRESP, DISCONNECT, AUTH = 12, 13, 14, 15

PACKET_NAMES = {
    1: "CONNECT", 2: "CONNACK", 3: "PUBLISH", 4: "PUBACK", 5: "PUBREC", 6: "PUBREL",
    7: "PUBCOMP", 8: "SUBSCRIBE", 9: "SUBACK", 10: "UNSUBSCRIBE", 11: "UNSUBACK",
    12: "PINGREQ", 13: "PINGRESP", 14: "DISCONNECT", 15: "AUTH",
}

# MQTT 5 property identifiers.
PAYLOAD_FORMAT_INDICATOR = 0x01
MESSAGE_EXPIRY_INTERVAL = 0x02
CONTENT_TYPE = 0x03
RESPONSE_TOPIC = 0x08
CORRELATION_DATA = 0x09
SUBSCRIPTION_IDENTIFIER = 0x0B
SESSION_EXPIRY_INTERVAL = 0x11
ASSIGNED_CLIENT_IDENTIFIER = 0x12
SERVER_KEEP_ALIVE = 0x13
AUTHENTICATION_METHOD = 0x15
AUTHENTICATION_DATA = 0x16
REQUEST_PROBLEM_INFORMATION = 0x17
WILL_DELAY_INTERVAL = 0x18
REQUEST_RESPONSE_INFORMATION = 0x19
RESPONSE_INFORMATION = 0x1A
SERVER_REFERENCE = 0x1C
REASON_STRING = 0x1F
RECEIVE_MAXIMUM = 0x21
TOPIC_ALIAS_MAXIMUM = 0x22
TOPIC_ALIAS = 0x23
MAXIMUM_QOS = 0x24
RETAIN_AVAILABLE = 0x25
USER_PROPERTY = 0x26
MAXIMUM_PACKET_SIZE = 0x27
WILDCARD_SUBSCRIPTION_AVAILABLE = 0x28
SUBSCRIPTION_IDENTIFIER_AVAILABLE = 0x29
SHARED_SUBSCRIPTION_AVAILABLE = 0x2A

_BYTE, _U16, _U32, _VARINT, _STR, _BIN, _PAIR = "byte", "u16", "u32", "varint", "str", "bin", "pair"
PROPERTY_TYPES = {
    0x01: _BYTE, 0x02: _U32, 0x03: _STR, 0x08: _STR, 0x09: _BIN, 0x0B: _VARINT,
    0x11: _U32, 0x12: _STR, 0x13: _U16, 0x15: _STR, 0x16: _BIN, 0x17: _BYTE,
    0x18: _U32, 0x19: _BYTE, 0x1A: _STR, 0x1C: _STR, 0x1F: _STR, 0x21: _U16,
    0x22: _U16, 0x23: _U16, 0x24: _BYTE, 0x25: _BYTE, 0x26: _PAIR, 0x27: _U32,
    0x28: _BYTE, 0x29: _BYTE, 0x2A: _BYTE,
}
# Properties that may legally appear more than once; parse_properties returns lists for these.
MULTI_PROPERTIES = {USER_PROPERTY, SUBSCRIPTION_IDENTIFIER}

# Protocol levels.
MQTT31, MQTT311, MQTT5 = 3, 4, 5


# --------------------------------------------------------------------------- encoding

def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        if n:
            b |= 0x80
        out.append(b)
        if not n:
            return bytes(out)


def utf8(s: str | bytes) -> bytes:
    raw = s.encode() if isinstance(s, str) else s
    return struct.pack("!H", len(raw)) + raw


def binary(b: bytes) -> bytes:
    return struct.pack("!H", len(b)) + b


def properties(props=None) -> bytes:
    """Encode properties given as a list of (id, value) pairs (duplicates allowed on purpose)
    or a dict. User properties take a (key, value) tuple."""
    if props is None:
        props = []
    items = props.items() if isinstance(props, dict) else props
    body = bytearray()
    for pid, value in items:
        kind = PROPERTY_TYPES[pid]
        body += varint(pid)
        if kind == _BYTE:
            body += bytes([value])
        elif kind == _U16:
            body += struct.pack("!H", value)
        elif kind == _U32:
            body += struct.pack("!I", value)
        elif kind == _VARINT:
            body += varint(value)
        elif kind == _STR:
            body += utf8(value)
        elif kind == _BIN:
            body += binary(value)
        else:
            body += utf8(value[0]) + utf8(value[1])
    return varint(len(body)) + bytes(body)


def packet(ptype: int, flags: int, body: bytes) -> bytes:
    return bytes([(ptype << 4) | (flags & 0x0F)]) + varint(len(body)) + body


def connect(client_id: str = "", *, version: int = MQTT311, clean: bool = True, keepalive: int = 60,
            username: str | None = None, password: str | bytes | None = None,
            will_topic: str | None = None, will_payload: bytes = b"", will_qos: int = 0,
            will_retain: bool = False, will_props=None, props=None,
            protocol_name: str | None = None, reserved_flag: bool = False) -> bytes:
    if protocol_name is None:
        protocol_name = "MQIsdp" if version == MQTT31 else "MQTT"
    flags = 0
    if reserved_flag:
        flags |= 0x01
    if clean:
        flags |= 0x02
    if will_topic is not None:
        flags |= 0x04 | (will_qos << 3) | (0x20 if will_retain else 0)
    if password is not None:
        flags |= 0x40
    if username is not None:
        flags |= 0x80
    body = utf8(protocol_name) + bytes([version, flags]) + struct.pack("!H", keepalive)
    if version >= MQTT5:
        body += properties(props)
    body += utf8(client_id)
    if will_topic is not None:
        if version >= MQTT5:
            body += properties(will_props)
        body += utf8(will_topic) + binary(will_payload)
    if username is not None:
        body += utf8(username)
    if password is not None:
        body += binary(password.encode() if isinstance(password, str) else password)
    return packet(CONNECT, 0, body)


def publish(topic: str, payload: bytes | str = b"", *, qos: int = 0, retain: bool = False,
            dup: bool = False, packet_id: int = 1, version: int = MQTT311, props=None,
            flags: int | None = None) -> bytes:
    if isinstance(payload, str):
        payload = payload.encode()
    if flags is None:
        flags = (0x08 if dup else 0) | (qos << 1) | (0x01 if retain else 0)
    body = utf8(topic)
    if qos > 0 or (flags & 0x06):
        body += struct.pack("!H", packet_id)
    if version >= MQTT5:
        body += properties(props)
    return packet(PUBLISH, flags, body + payload)


def ack(ptype: int, packet_id: int, *, version: int = MQTT311, reason: int = 0) -> bytes:
    """PUBACK / PUBREC / PUBREL / PUBCOMP. PUBREL gets its mandatory flags 0b0010."""
    flags = 0x02 if ptype == PUBREL else 0
    body = struct.pack("!H", packet_id)
    if version >= MQTT5 and reason:
        body += bytes([reason])
    return packet(ptype, flags, body)


def subscribe(packet_id: int, topics, *, version: int = MQTT311, props=None, flags: int = 0x02) -> bytes:
    """topics: list of (filter, options byte); options = QoS | no-local<<2 | RAP<<3 | RH<<4."""
    body = struct.pack("!H", packet_id)
    if version >= MQTT5:
        body += properties(props)
    for topic, options in topics:
        body += utf8(topic) + bytes([options])
    return packet(SUBSCRIBE, flags, body)


def pingreq() -> bytes:
    return packet(PINGREQ, 0, b"")


def disconnect(*, version: int = MQTT311, reason: int = 0, props=None) -> bytes:
    if version >= MQTT5 and (reason or props):
        return packet(DISCONNECT, 0, bytes([reason]) + properties(props))
    return packet(DISCONNECT, 0, b"")


# --------------------------------------------------------------------------- decoding

@dataclass
class Packet:
    type: int
    flags: int
    body: bytes

    @property
    def name(self) -> str:
        return PACKET_NAMES.get(self.type, f"type{self.type}")

    def __repr__(self) -> str:
        return f"<{self.name} flags={self.flags:#x} body={self.body[:40]!r}>"


def decode_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value, mult = 0, 1
    for _ in range(4):
        b = buf[pos]
        pos += 1
        value += (b & 0x7F) * mult
        if not b & 0x80:
            return value, pos
        mult *= 128
    raise ValueError("malformed variable byte integer")


def _read_utf8(buf: bytes, pos: int) -> tuple[bytes, int]:
    (n,) = struct.unpack_from("!H", buf, pos)
    return buf[pos + 2:pos + 2 + n], pos + 2 + n


def parse_properties(buf: bytes, pos: int) -> tuple[dict, int]:
    length, pos = decode_varint(buf, pos)
    end = pos + length
    props: dict = {}
    while pos < end:
        pid, pos = decode_varint(buf, pos)
        kind = PROPERTY_TYPES[pid]
        if kind == _BYTE:
            value, pos = buf[pos], pos + 1
        elif kind == _U16:
            (value,), pos = struct.unpack_from("!H", buf, pos), pos + 2
        elif kind == _U32:
            (value,), pos = struct.unpack_from("!I", buf, pos), pos + 4
        elif kind == _VARINT:
            value, pos = decode_varint(buf, pos)
        elif kind == _STR:
            raw, pos = _read_utf8(buf, pos)
            value = raw.decode()
        elif kind == _BIN:
            value, pos = _read_utf8(buf, pos)
        else:
            k, pos = _read_utf8(buf, pos)
            v, pos = _read_utf8(buf, pos)
            value = (k.decode(), v.decode())
        if pid in MULTI_PROPERTIES:
            props.setdefault(pid, []).append(value)
        else:
            props[pid] = value
    return props, end


@dataclass
class Connack:
    session_present: bool
    code: int
    props: dict = field(default_factory=dict)


def parse_connack(p: Packet, version: int) -> Connack:
    assert p.type == CONNACK, f"expected CONNACK, got {p!r}"
    props = {}
    if version >= MQTT5 and len(p.body) > 2:
        props, _ = parse_properties(p.body, 2)
    return Connack(bool(p.body[0] & 1), p.body[1], props)


@dataclass
class Publish:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    dup: bool
    packet_id: int | None
    props: dict


def parse_publish(p: Packet, version: int) -> Publish:
    assert p.type == PUBLISH, f"expected PUBLISH, got {p!r}"
    qos = (p.flags >> 1) & 3
    raw_topic, pos = _read_utf8(p.body, 0)
    packet_id = None
    if qos:
        (packet_id,) = struct.unpack_from("!H", p.body, pos)
        pos += 2
    props = {}
    if version >= MQTT5:
        props, pos = parse_properties(p.body, pos)
    return Publish(raw_topic.decode(), p.body[pos:], qos, bool(p.flags & 1), bool(p.flags & 8),
                   packet_id, props)


def parse_ack(p: Packet) -> tuple[int, int]:
    """(packet id, reason code) for PUBACK/PUBREC/PUBREL/PUBCOMP/UNSUBACK-less acks.
    A missing reason code means 0 (success)."""
    (packet_id,) = struct.unpack_from("!H", p.body, 0)
    return packet_id, (p.body[2] if len(p.body) > 2 else 0)


def parse_suback(p: Packet, version: int) -> tuple[int, list[int]]:
    assert p.type == SUBACK, f"expected SUBACK, got {p!r}"
    (packet_id,) = struct.unpack_from("!H", p.body, 0)
    pos = 2
    if version >= MQTT5:
        _, pos = parse_properties(p.body, pos)
    return packet_id, list(p.body[pos:])


def disconnect_reason(p: Packet) -> int:
    assert p.type == DISCONNECT, f"expected DISCONNECT, got {p!r}"
    return p.body[0] if p.body else 0


# --------------------------------------------------------------------------- client socket

class Closed(Exception):
    """The peer closed the connection."""


class RawClient:
    """A blocking socket speaking raw MQTT. `recv()` returns one Packet or raises
    Closed / socket.timeout."""

    def __init__(self, host: str, port: int, timeout: float = 5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self, n: int, deadline: float) -> None:
        while len(self._buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout("timed out waiting for a packet")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError) as exc:
                raise Closed(str(exc)) from exc
            if not chunk:
                raise Closed("connection closed by peer")
            self._buf += chunk

    def recv(self, timeout: float = 5.0) -> Packet:
        deadline = time.monotonic() + timeout
        self._fill(2, deadline)
        # remaining length: up to 4 bytes after the first byte
        pos, length, mult = 1, 0, 1
        while True:
            self._fill(pos + 1, deadline)
            b = self._buf[pos]
            pos += 1
            length += (b & 0x7F) * mult
            mult *= 128
            if not b & 0x80:
                break
            if pos > 4:
                raise ValueError("malformed remaining length from broker")
        self._fill(pos + length, deadline)
        first = self._buf[0]
        body = self._buf[pos:pos + length]
        self._buf = self._buf[pos + length:]
        return Packet(first >> 4, first & 0x0F, body)

    def recv_type(self, ptype: int, timeout: float = 5.0) -> Packet:
        """Receive packets until one of `ptype` arrives (others are dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            p = self.recv(max(0.01, deadline - time.monotonic()))
            if p.type == ptype:
                return p

    def wait_closed(self, timeout: float = 5.0) -> list[Packet]:
        """Read until the broker closes the connection; return what it sent before closing.
        Raises socket.timeout if still open after `timeout`."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            try:
                seen.append(self.recv(max(0.01, deadline - time.monotonic())))
            except Closed:
                return seen

    def connect(self, client_id: str = "", *, version: int = MQTT311, timeout: float = 5.0,
                **kwargs) -> Connack:
        self.send(connect(client_id, version=version, **kwargs))
        return parse_connack(self.recv(timeout), version)

    def subscribe(self, topic: str, options: int = 0, *, version: int = MQTT311, packet_id: int = 1,
                  props=None, timeout: float = 5.0) -> list[int]:
        """SUBSCRIBE to one filter; return the SUBACK reason codes."""
        self.send(subscribe(packet_id, [(topic, options)], version=version, props=props))
        return parse_suback(self.recv_type(SUBACK, timeout), version)[1]

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
