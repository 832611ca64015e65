"""Black-box interop harness for Pier.

The broker under test is `$PIER_BIN serve --config CONFIG.yaml` (default), or mosquitto
when BROKER=mosquitto, which is how the tests themselves are validated against the
reference broker.  Every process a test starts is stopped by its PID at teardown.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest
import yaml

sys.path.insert(0, os.path.dirname(__file__))
import mqttraw  # noqa: E402

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.packettypes import PacketTypes  # noqa: E402
from paho.mqtt.properties import Properties  # noqa: E402

HOST = "127.0.0.1"
BROKER_KIND = os.environ.get("BROKER", "pier").lower()
IS_MOSQUITTO = BROKER_KIND == "mosquitto"

DEFAULT_LIMITS = {
    "max_packet_size": 1048576,
    "max_inflight": 20,
    "receive_maximum": 100,
    "max_queued_messages": 1000,
    "max_keepalive": 3600,
    "topic_alias_maximum": 10,
    "connect_timeout": 10,
}


def uid(prefix: str = "c") -> str:
    """A fresh client id / topic component, unique per call."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def kill_pid(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds, by PID."""
    if proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------- config

@dataclass
class BrokerOptions:
    allow_anonymous: bool = True
    password_file: str | None = None
    acl_file: str | None = None
    limits: dict = field(default_factory=dict)
    sys_interval: int = 1
    bridges: list = field(default_factory=list)
    # More Pier listener mappings (e.g. a `transport: tls` one), after the plain MQTT listener.
    extra_listeners: list = field(default_factory=list)
    # More top-level Pier config sections (e.g. `http`, `queues`), merged last.
    extra_config: dict = field(default_factory=dict)


def pier_config(opts: BrokerOptions, port: int, data_dir: str) -> str:
    cfg = {
        "data_dir": data_dir,
        "listeners": [{
            "protocol": "mqtt",
            "transport": "tcp",
            "bind": HOST,
            "port": port,
            "allow_anonymous": opts.allow_anonymous,
        }, *opts.extra_listeners],
    }
    auth = {k: v for k, v in (("password_file", opts.password_file), ("acl_file", opts.acl_file)) if v}
    if auth:
        cfg["auth"] = auth
    cfg["limits"] = {**DEFAULT_LIMITS, **opts.limits}
    cfg["sys"] = {"interval": opts.sys_interval}
    if opts.bridges:
        cfg["bridges"] = list(opts.bridges)
    cfg.update(opts.extra_config)
    return yaml.safe_dump(cfg, sort_keys=False)


def mosquitto_config(opts: BrokerOptions, port: int) -> str:
    limits = {**DEFAULT_LIMITS, **opts.limits}
    lines = [
        "per_listener_settings false",
        f"listener {port} {HOST}",
        "protocol mqtt",
        f"allow_anonymous {'true' if opts.allow_anonymous else 'false'}",
        "persistence false",
        # started as root, mosquitto would drop to user "mosquitto" and lose access to pytest's tmp dirs
        *(["user root"] if os.geteuid() == 0 else []),
        # mosquitto's one inflight limit is also the Receive Maximum it advertises
        f"max_inflight_messages {opts.limits.get('receive_maximum', limits['max_inflight'])}",
        f"max_queued_messages {limits['max_queued_messages']}",
        f"max_packet_size {limits['max_packet_size']}",
        f"max_keepalive {limits['max_keepalive']}",
        f"max_topic_alias {limits['topic_alias_maximum']}",
        f"sys_interval {opts.sys_interval}",
        # connect_timeout has no mosquitto 2.0.11 equivalent.
    ]
    if opts.password_file:
        lines.append(f"password_file {opts.password_file}")
    if opts.acl_file:
        lines.append(f"acl_file {opts.acl_file}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- broker

class Broker:
    """One broker process on a free loopback port, with its own temp dir."""

    def __init__(self, workdir: str, opts: BrokerOptions):
        self.workdir = workdir
        self.opts = opts
        self.host = HOST
        self.port = free_port()
        self.data_dir = os.path.join(workdir, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.proc: subprocess.Popen | None = None
        self._starts = 0
        if IS_MOSQUITTO:
            self.config_path = os.path.join(workdir, "mosquitto.conf")
            text = mosquitto_config(opts, self.port)
            self.argv = [os.environ.get("MOSQUITTO_BIN", "mosquitto"), "-c", self.config_path]
        else:
            binary = os.environ.get("PIER_BIN")
            if not binary:
                pytest.fail("set PIER_BIN to the pier binary (or BROKER=mosquitto to validate the suite)")
            self.config_path = os.path.join(workdir, "config.yaml")
            text = pier_config(opts, self.port, self.data_dir)
            self.argv = [binary, "serve", "--config", self.config_path]
        with open(self.config_path, "w") as f:
            f.write(text)

    @property
    def limits(self) -> dict:
        return {**DEFAULT_LIMITS, **self.opts.limits}

    def _log_path(self, stream: str) -> str:
        return os.path.join(self.workdir, f"broker-{self._starts}.{stream}")

    def start(self, timeout: float = 10.0) -> None:
        self._starts += 1
        self._stdout = open(self._log_path("stdout"), "wb")
        self._stderr = open(self._log_path("stderr"), "wb")
        self.proc = subprocess.Popen(self.argv, stdout=self._stdout, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL, cwd=self.workdir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"broker exited with {self.proc.returncode} during start-up:\n{self.stderr()}")
            try:
                socket.create_connection((self.host, self.port), timeout=0.5).close()
            except OSError:
                time.sleep(0.05)
                continue
            # Listeners bind in config order: wait for the later ones too, or a client of one could race it.
            if IS_MOSQUITTO or all(_accepts(l.get("bind", self.host), l["port"])
                                   for l in self.opts.extra_listeners if l.get("port")):
                return
            time.sleep(0.02)
        self.stop()
        pytest.fail(f"broker did not accept TCP on {self.port} within {timeout}s:\n{self.stderr()}")

    def stderr(self) -> str:
        try:
            with open(self._log_path("stderr"), "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def assert_alive(self) -> None:
        assert self.alive(), f"broker died (exit {self.proc.returncode}):\n{self.stderr()}"

    def _close_logs(self) -> None:
        for f in (getattr(self, "_stdout", None), getattr(self, "_stderr", None)):
            if f:
                f.close()

    def stop(self) -> None:
        if self.proc:
            kill_pid(self.proc)
        self._close_logs()

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self._close_logs()

    def restart(self) -> None:
        """Stop and start again with the same config, port and data dir."""
        self.stop()
        self.start()


@pytest.fixture
def make_broker(tmp_path):
    """Factory: make_broker(allow_anonymous=..., password_file=..., acl_file=..., limits={...})."""
    started: list[Broker] = []

    def factory(**kwargs) -> Broker:
        workdir = tmp_path / f"broker{len(started)}"
        workdir.mkdir()
        b = Broker(str(workdir), BrokerOptions(**kwargs))
        started.append(b)
        b.start()
        return b

    yield factory
    for b in started:
        b.stop()


@pytest.fixture
def broker(make_broker) -> Broker:
    return make_broker()


# --------------------------------------------------------------------------- mosquitto clients

@dataclass
class SubMessage:
    topic: str
    payload: str
    qos: int
    retain: bool


class MosquittoSub:
    """A running `mosquitto_sub` whose output is parsed in a reader thread."""

    MARK = "MSG\t"

    def __init__(self, broker: Broker, topics, *, version: str = "mqttv311", qos: int = 0,
                 extra: list[str] | None = None):
        if isinstance(topics, str):
            topics = [topics]
        # stdbuf: line-buffer stdout so output reaches the pipe as it happens (exec keeps the PID)
        argv = ["stdbuf", "-oL", "mosquitto_sub", "-h", broker.host, "-p", str(broker.port), "-V", version,
                "-q", str(qos), "-d", "-F", self.MARK + "%q\t%r\t%t\t%p"]
        for t in topics:
            argv += ["-t", t]
        argv += extra or []
        self.argv = argv
        self.lines: list[str] = []
        self.messages: list[SubMessage] = []
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            with self._cond:
                self.lines.append(line)
                if line.startswith(self.MARK):
                    q, r, topic, payload = line[len(self.MARK):].split("\t", 3)
                    self.messages.append(SubMessage(topic, payload, int(q), r == "1"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _wait(self, predicate, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    def wait_subscribed(self, timeout: float = 10.0) -> "MosquittoSub":
        ok = self._wait(lambda: any("received SUBACK" in l for l in self.lines), timeout)
        assert ok, f"mosquitto_sub never got SUBACK; output:\n" + "\n".join(self.lines)
        return self

    def wait_connected(self, timeout: float = 10.0) -> "MosquittoSub":
        ok = self._wait(lambda: any("received CONNACK" in l for l in self.lines), timeout)
        assert ok, f"mosquitto_sub never got CONNACK; output:\n" + "\n".join(self.lines)
        return self

    def wait_messages(self, n: int, timeout: float = 10.0) -> list[SubMessage]:
        self._wait(lambda: len(self.messages) >= n, timeout)
        with self._cond:
            return list(self.messages)

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(timeout=5)

    def stop(self) -> None:
        kill_pid(self.proc, grace=2)


def mosquitto_pub(broker: Broker, topic: str, message: str | None, *, version: str = "mqttv311",
                  qos: int = 0, retain: bool = False, extra: list[str] | None = None,
                  timeout: float = 15.0) -> subprocess.CompletedProcess:
    argv = ["mosquitto_pub", "-h", broker.host, "-p", str(broker.port), "-V", version,
            "-q", str(qos), "-t", topic]
    argv += ["-n"] if message is None else ["-m", message]
    if retain:
        argv.append("-r")
    argv += extra or []
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_pid(proc, grace=1)
        raise AssertionError(f"mosquitto_pub timed out: {argv}")
    result = subprocess.CompletedProcess(argv, proc.returncode, out, err)
    assert result.returncode == 0, f"mosquitto_pub failed ({result.returncode}): {err.decode()}"
    return result


# --------------------------------------------------------------------------- paho

@dataclass
class Received:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    properties: Properties | None
    at: float


class PahoClient:
    """paho-mqtt 2.2 wrapper driven by our own loop thread (no automatic reconnect)."""

    def __init__(self, broker: Broker, client_id: str | None = None, *, version: int = 5,
                 clean: bool = True, username: str | None = None, password: str | None = None):
        self.broker = broker
        self.version = version
        self.clean = clean
        protocol = mqtt.MQTTv5 if version == 5 else mqtt.MQTTv311
        kwargs = {} if version == 5 else {"clean_session": clean}
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=uid("paho") if client_id is None else client_id,
                                  protocol=protocol, **kwargs)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.messages: list[Received] = []
        self.connack = None  # (reason code, session present, properties)
        self.disconnect_reason = None
        self.subacks: dict[int, list] = {}
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = None
        c = self.client
        # paho is not thread-safe when driven by loop(): publish() from a test thread would call
        # loop_write() itself, racing the loop thread's writes and reordering packets on the wire.
        # With a (no-op) write-registration callback, other threads only queue packets and wake the
        # loop thread, which does every write.
        c.on_socket_register_write = lambda client, userdata, sock: None
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        c.on_subscribe = self._on_subscribe

    # callbacks
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        with self._cond:
            self.connack = (reason_code, flags.session_present, properties)
            self._cond.notify_all()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        with self._cond:
            self.disconnect_reason = reason_code
            self._cond.notify_all()

    def _on_message(self, client, userdata, msg):
        with self._cond:
            self.messages.append(Received(msg.topic, msg.payload, msg.qos, bool(msg.retain),
                                          getattr(msg, "properties", None), time.monotonic()))
            self._cond.notify_all()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        with self._cond:
            self.subacks[mid] = reason_codes
            self._cond.notify_all()

    def _loop(self):
        while not self._stop.is_set():
            if self.client.loop(timeout=0.05) != mqtt.MQTT_ERR_SUCCESS:
                break

    # API
    def set_will(self, topic: str, payload: str, qos: int = 0, retain: bool = False,
                 properties: Properties | None = None) -> None:
        self.client.will_set(topic, payload, qos, retain, properties)

    def connect(self, *, keepalive: int = 60, properties: Properties | None = None,
                timeout: float = 10.0, expect_success: bool = True):
        kwargs = {"keepalive": keepalive}
        if self.version == 5:
            kwargs["clean_start"] = self.clean
            kwargs["properties"] = properties
        self.client.connect(self.broker.host, self.broker.port, **kwargs)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        with self._cond:
            ok = self._cond.wait_for(lambda: self.connack is not None or self.disconnect_reason is not None,
                                     timeout)
        assert ok, "no CONNACK within timeout"
        if expect_success:
            assert self.connack is not None and not self.connack[0].is_failure, f"connect failed: {self.connack}"
        return self.connack

    def subscribe(self, topic: str, qos: int = 0, *, options=None, properties=None,
                  timeout: float = 10.0):
        if self.version == 5:
            opts = options or mqtt.SubscribeOptions(qos=qos)
            rc, mid = self.client.subscribe(topic, options=opts, properties=properties)
        else:
            rc, mid = self.client.subscribe(topic, qos)
        assert rc == mqtt.MQTT_ERR_SUCCESS
        with self._cond:
            assert self._cond.wait_for(lambda: mid in self.subacks, timeout), "no SUBACK"
            return self.subacks[mid]

    def publish(self, topic: str, payload, qos: int = 0, retain: bool = False,
                properties: Properties | None = None, wait: bool = True, timeout: float = 10.0):
        info = self.client.publish(topic, payload, qos=qos, retain=retain, properties=properties)
        if wait:
            info.wait_for_publish(timeout)
            assert info.is_published(), f"publish to {topic} not acknowledged within {timeout}s"
        return info

    def wait_messages(self, n: int, timeout: float = 10.0) -> list[Received]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.messages) >= n, timeout)
            return list(self.messages)

    def wait_for(self, predicate, timeout: float = 10.0) -> list[Received]:
        """Wait until predicate(messages) holds (or timeout); return a snapshot."""
        with self._cond:
            self._cond.wait_for(lambda: predicate(self.messages), timeout)
            return list(self.messages)

    def received(self, settle: float = 0.0) -> list[Received]:
        """Snapshot of all messages, after waiting `settle` s for stragglers."""
        if settle:
            time.sleep(settle)
        with self._cond:
            return list(self.messages)

    def wait_disconnected(self, timeout: float = 10.0):
        with self._cond:
            self._cond.wait_for(lambda: self.disconnect_reason is not None, timeout)
            return self.disconnect_reason

    def disconnect(self) -> None:
        self.client.disconnect()
        if self._thread:
            self._thread.join(timeout=5)
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        try:
            self.client.disconnect()
        except Exception:
            pass
        if self._thread:
            self._thread.join(timeout=5)
        try:
            self.client.socket() and self.client.socket().close()
        except Exception:
            pass


def props(packet_type=PacketTypes.PUBLISH, **values) -> Properties:
    """props(MessageExpiryInterval=2, ...) -> paho Properties."""
    p = Properties(packet_type)
    for key, value in values.items():
        setattr(p, key, value)
    return p


# --------------------------------------------------------------------------- per-test peers

class Peers:
    """Creates clients against a broker and tears all of them down (by PID for processes)."""

    def __init__(self):
        self._paho: list[PahoClient] = []
        self._raw: list[mqttraw.RawClient] = []
        self._subs: list[MosquittoSub] = []
        self._procs: list[subprocess.Popen] = []

    def paho(self, broker: Broker, client_id: str | None = None, **kwargs) -> PahoClient:
        c = PahoClient(broker, client_id, **kwargs)
        self._paho.append(c)
        return c

    def connected(self, broker: Broker, client_id: str | None = None, *, keepalive: int = 60,
                  properties=None, **kwargs) -> PahoClient:
        c = self.paho(broker, client_id, **kwargs)
        c.connect(keepalive=keepalive, properties=properties)
        return c

    def raw(self, broker: Broker, timeout: float = 5.0) -> mqttraw.RawClient:
        c = mqttraw.RawClient(broker.host, broker.port, timeout)
        self._raw.append(c)
        return c

    def sub(self, broker: Broker, topics, **kwargs) -> MosquittoSub:
        s = MosquittoSub(broker, topics, **kwargs)
        self._subs.append(s)
        return s

    def spawn(self, argv: list[str], **kwargs) -> subprocess.Popen:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, **kwargs)
        self._procs.append(p)
        return p

    def close(self) -> None:
        for c in self._paho:
            c.close()
        for c in self._raw:
            c.close()
        for s in self._subs:
            s.stop()
        for p in self._procs:
            kill_pid(p, grace=2)


@pytest.fixture
def peers():
    p = Peers()
    yield p
    p.close()


def assert_serving(broker: Broker, peers: Peers) -> None:
    """The broker process is alive and a brand-new client can still connect and ping."""
    broker.assert_alive()
    c = peers.raw(broker)
    assert c.connect(uid("alive"), version=mqttraw.MQTT5).code == 0
    c.send(mqttraw.pingreq())
    assert c.recv(10).type == mqttraw.PINGRESP


VERSIONS = pytest.mark.parametrize("version", ["mqttv311", "mqttv5"])


# --------------------------------------------------------------------------- STOMP

def _accepts(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def make_stomp_broker(make_broker):
    """Factory: Pier with its MQTT listener plus a STOMP listener; returns a StompTarget."""
    from stomp_support import StompTarget

    def factory(**kwargs) -> "StompTarget":
        port = free_port()
        extra = list(kwargs.pop("extra_listeners", []))
        extra.append({"protocol": "stomp", "transport": "tcp", "bind": HOST, "port": port,
                      "allow_anonymous": kwargs.get("allow_anonymous", True)})
        b = make_broker(extra_listeners=extra, **kwargs)
        # Listeners bind in order: the broker is up once the MQTT port answers, the STOMP one just after.
        assert wait_until(lambda: _accepts(HOST, port), 10), f"STOMP listener never came up:\n{b.stderr()}"
        return StompTarget(HOST, port, broker=b)

    return factory


@pytest.fixture
def stomp_target(make_stomp_broker):
    """The broker under test for STOMP: STD_HOST/STD_PORT when set (stomp.py's convention), else a fresh Pier."""
    from stomp_support import external_target
    return external_target() or make_stomp_broker()
