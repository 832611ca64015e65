"""A tiny raw WebSocket client (RFC 6455) for black-box tests of Pier's ws/wss listeners, and
helpers to start a broker with WebSocket listeners.

WSClient speaks the handshake and the framing by hand over a plain (or TLS) socket so a test can
send exactly what it wants: several MQTT packets in one message, a packet split over many
messages, fragmented messages with control frames between the fragments, oversized messages,
bad upgrade requests, garbage.  Nothing here validates what it sends; what it receives is checked
(server frames must be unmasked, the Sec-WebSocket-Accept must match the key).
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import ssl
import struct
import time
from dataclasses import dataclass, field

import mqttraw
from conftest import HOST, free_port, wait_until

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
OPCODE_NAMES = {CONT: "continuation", TEXT: "text", BINARY: "binary", CLOSE: "close", PING: "ping", PONG: "pong"}


class Closed(Exception):
    """The server closed the TCP connection."""


@dataclass
class Frame:
    fin: bool
    opcode: int
    payload: bytes
    rsv: int = 0

    @property
    def close_code(self) -> int | None:
        return struct.unpack("!H", self.payload[:2])[0] if self.opcode == CLOSE and len(self.payload) >= 2 else None

    def __repr__(self) -> str:
        extra = f" code={self.close_code}" if self.opcode == CLOSE else ""
        return f"<{OPCODE_NAMES.get(self.opcode, self.opcode)} fin={self.fin}{extra} {self.payload[:60]!r}>"


@dataclass
class Response:
    status: int
    reason: str
    headers: dict = field(default_factory=dict)  # lower-case names
    raw: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def accept_for(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def tls_context(ca: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca)
    return ctx


class WSClient:
    """A blocking WebSocket client over one socket."""

    def __init__(self, host: str, port: int, *, timeout: float = 5.0, tls_ca: str | None = None,
                 server_name: str = "localhost"):
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls_ca:
            sock = tls_context(tls_ca).wrap_socket(sock, server_hostname=server_name)
        self.sock = sock
        self.host, self.port = host, port
        self.buf = b""
        self.response: Response | None = None

    # ------------------------------------------------------------------ raw bytes
    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _recv_some(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("timed out")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError) as exc:
            raise Closed(str(exc)) from exc
        if not chunk:
            raise Closed("connection closed by server")
        self.buf += chunk

    def _fill(self, n: int, deadline: float) -> None:
        while len(self.buf) < n:
            self._recv_some(deadline)

    def read_until_closed(self, timeout: float = 5.0) -> bytes:
        """Everything the server sends until it closes; raises socket.timeout if it stays open."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._recv_some(deadline)
            except Closed:
                out, self.buf = self.buf, b""
                return out

    # ------------------------------------------------------------------ handshake
    @staticmethod
    def request_bytes(path: str = "/", *, host: str = "127.0.0.1", key: str | None = "auto",
                      subprotocols=None, origin: str | None = None, version: str | None = "13",
                      headers: dict | None = None, method: str = "GET", upgrade: bool = True) -> tuple[bytes, str | None]:
        if key == "auto":
            key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
        if upgrade:
            lines += ["Upgrade: websocket", "Connection: Upgrade"]
        if key is not None:
            lines.append(f"Sec-WebSocket-Key: {key}")
        if version is not None and upgrade:
            lines.append(f"Sec-WebSocket-Version: {version}")
        if subprotocols:
            lines.append("Sec-WebSocket-Protocol: " + ", ".join(subprotocols))
        if origin is not None:
            lines.append(f"Origin: {origin}")
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode(), key

    def read_response(self, timeout: float = 5.0) -> Response:
        """The HTTP response head; bytes after it stay buffered as WebSocket data."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            self._recv_some(deadline)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        assert len(parts) >= 2 and parts[0].startswith("HTTP/1."), f"not an HTTP status line: {lines[0]!r}"
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        self.response = Response(int(parts[1]), parts[2] if len(parts) > 2 else "", headers, head)
        return self.response

    def handshake(self, path: str = "/", *, subprotocols=None, origin: str | None = None,
                  headers: dict | None = None, expect: int | None = 101, timeout: float = 5.0) -> Response:
        data, key = self.request_bytes(path, host=f"{self.host}:{self.port}", subprotocols=subprotocols,
                                       origin=origin, headers=headers)
        self.send_raw(data)
        r = self.read_response(timeout)
        if expect is not None:
            assert r.status == expect, f"expected HTTP {expect}, got {r.raw!r}"
        if r.status == 101:
            assert r.header("upgrade") and r.header("upgrade").lower() == "websocket", r.raw
            assert r.header("sec-websocket-accept") == accept_for(key), f"bad Sec-WebSocket-Accept: {r.raw!r}"
        return r

    # ------------------------------------------------------------------ frames
    @staticmethod
    def frame_bytes(opcode: int, payload: bytes, *, fin: bool = True, mask: bool = True, rsv: int = 0) -> bytes:
        head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
        n = len(payload)
        m = 0x80 if mask else 0
        if n < 126:
            head += bytes([m | n])
        elif n < 65536:
            head += bytes([m | 126]) + struct.pack("!H", n)
        else:
            head += bytes([m | 127]) + struct.pack("!Q", n)
        if not mask:
            return head + payload
        key = os.urandom(4)
        masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload)) if n < 4096 else _mask_fast(payload, key)
        return head + key + masked

    def send_frame(self, opcode: int, payload: bytes = b"", **kw) -> None:
        self.send_raw(self.frame_bytes(opcode, payload, **kw))

    def send_binary(self, payload: bytes) -> None:
        self.send_frame(BINARY, payload)

    def send_text(self, payload: bytes | str) -> None:
        self.send_frame(TEXT, payload.encode() if isinstance(payload, str) else payload)

    def send_close(self, code: int = 1000, reason: bytes = b"") -> None:
        self.send_frame(CLOSE, struct.pack("!H", code) + reason)

    def recv_frame(self, timeout: float = 5.0) -> Frame:
        deadline = time.monotonic() + timeout
        self._fill(2, deadline)
        b0, b1 = self.buf[0], self.buf[1]
        assert not b1 & 0x80, f"server frame is masked: {self.buf[:16]!r}"
        n, pos = b1 & 0x7F, 2
        if n == 126:
            self._fill(4, deadline)
            n, pos = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self._fill(10, deadline)
            n, pos = struct.unpack("!Q", self.buf[2:10])[0], 10
        self._fill(pos + n, deadline)
        payload = self.buf[pos:pos + n]
        self.buf = self.buf[pos + n:]
        return Frame(bool(b0 & 0x80), b0 & 0x0F, payload, (b0 >> 4) & 7)

    def recv_message(self, timeout: float = 5.0, *, control: list | None = None) -> Frame:
        """One whole data message (fragments joined); control frames go to `control` if given,
        else a close frame is returned as is and pings/pongs are skipped."""
        deadline = time.monotonic() + timeout
        parts, first = [], None
        while True:
            f = self.recv_frame(max(0.01, deadline - time.monotonic()))
            if f.opcode >= 0x8:
                if control is not None:
                    control.append(f)
                    if f.opcode == CLOSE:
                        return f
                    continue
                if f.opcode == CLOSE:
                    return f
                continue
            if first is None:
                assert f.opcode != CONT, f"continuation frame without a start: {f!r}"
                first = f.opcode
            else:
                assert f.opcode == CONT, f"new data frame inside a fragmented message: {f!r}"
            parts.append(f.payload)
            if f.fin:
                return Frame(True, first, b"".join(parts))

    def recv_close(self, timeout: float = 5.0) -> Frame:
        """Skip data until a Close frame arrives."""
        deadline = time.monotonic() + timeout
        while True:
            f = self.recv_frame(max(0.01, deadline - time.monotonic()))
            if f.opcode == CLOSE:
                return f

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _mask_fast(payload: bytes, key: bytes) -> bytes:
    n = len(payload)
    k = int.from_bytes((key * ((n + 3) // 4))[:n], "big")
    return (int.from_bytes(payload, "big") ^ k).to_bytes(n, "big")


class WsMqtt:
    """MQTT packets over a WSClient: outgoing packets as binary messages, incoming ones parsed
    from the concatenation of every binary message (a packet may span messages)."""

    def __init__(self, ws: WSClient):
        self.ws = ws
        self.stream = b""
        self.opcodes: list[int] = []

    def send(self, data: bytes) -> None:
        self.ws.send_binary(data)

    def recv(self, timeout: float = 5.0) -> mqttraw.Packet:
        deadline = time.monotonic() + timeout
        while True:
            p = self._parse()
            if p:
                return p
            m = self.ws.recv_message(max(0.01, deadline - time.monotonic()))
            if m.opcode == CLOSE:
                raise Closed(f"close frame {m!r}")
            self.opcodes.append(m.opcode)
            assert m.opcode == BINARY, f"MQTT over WebSocket must come in binary messages, got {m!r}"
            self.stream += m.payload

    def _parse(self):
        s = self.stream
        if len(s) < 2:
            return None
        pos, length, mult = 1, 0, 1
        while True:
            if pos >= len(s):
                return None
            b = s[pos]
            pos += 1
            length += (b & 0x7F) * mult
            mult *= 128
            if not b & 0x80:
                break
        if len(s) < pos + length:
            return None
        p = mqttraw.Packet(s[0] >> 4, s[0] & 0x0F, s[pos:pos + length])
        self.stream = s[pos + length:]
        return p

    def recv_type(self, ptype: int, timeout: float = 5.0) -> mqttraw.Packet:
        deadline = time.monotonic() + timeout
        while True:
            p = self.recv(max(0.01, deadline - time.monotonic()))
            if p.type == ptype:
                return p


def stomp_frame(command: str, headers: dict | None = None, body: bytes = b"") -> bytes:
    head = command + "\n" + "".join(f"{k}:{v}\n" for k, v in (headers or {}).items())
    return head.encode() + b"\n" + body + b"\x00"


def stomp_command(message: bytes) -> str:
    return message.lstrip(b"\r\n").split(b"\n", 1)[0].decode(errors="replace")


# --------------------------------------------------------------------------- brokers

def port_open(port: int, host: str = HOST) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


@dataclass
class WsEndpoint:
    host: str
    port: int
    tls: bool = False
    ca: str | None = None
    path: str = "/"

    @property
    def url(self) -> str:
        return f"{'wss' if self.tls else 'ws'}://{self.host}:{self.port}{self.path}"

    def client(self, timeout: float = 5.0) -> WSClient:
        return WSClient("127.0.0.1", self.port, timeout=timeout, tls_ca=self.ca if self.tls else None)


def ws_listener(port: int, *, tls: dict | None = None, **extra) -> dict:
    listener = {"transport": "wss" if tls else "ws", "bind": HOST, "port": port}
    if tls:
        listener["tls"] = tls
    listener.update(extra)
    return listener


def start_ws_broker(make_broker, pki=None, *, ws: dict | None = None, wss: dict | None = None,
                    more: list | None = None, **broker_kwargs):
    """A broker with its plain MQTT listener plus a ws listener (and a wss one when `pki` is given).
    `ws` / `wss` are extra keys for those listener mappings (protocol, path, allowed_origins, ...).
    Returns (broker, ws endpoint, wss endpoint or None)."""
    listeners = []
    ws_port = free_port()
    listeners.append(ws_listener(ws_port, **(ws or {})))
    wss_ep = None
    if pki is not None:
        wss_port = free_port()
        listeners.append(ws_listener(wss_port, tls={"cert_file": pki["cert"], "key_file": pki["key"]}, **(wss or {})))
        # "localhost" is in the certificate; 127.0.0.1 is too, so either name verifies.
        wss_ep = WsEndpoint("localhost", wss_port, True, pki["ca"], (wss or {}).get("path", "/"))
    listeners += more or []
    broker = make_broker(extra_listeners=listeners, **broker_kwargs)
    for l in listeners:
        assert wait_until(lambda: port_open(l["port"]), 10), f"listener {l} never came up:\n{broker.stderr()}"
    return broker, WsEndpoint("127.0.0.1", ws_port, False, None, (ws or {}).get("path", "/")), wss_ep
