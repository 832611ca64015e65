"""Active/standby pairs of real `pier serve` processes sharing one data directory and one port."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time

import yaml

from conftest import HOST, BrokerOptions, free_port, kill_pid, pier_config


class Node:
    """One `pier serve` process of a pair. Its role is what it last logged (`role: standby|active|...`)."""

    def __init__(self, pair: "Pair", index: int, env: dict | None = None):
        self.pair = pair
        self.index = index
        self.log_path = os.path.join(pair.workdir, f"node-{index}.stderr")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([pair.binary, "serve", "--config", pair.config_path], stdout=subprocess.DEVNULL,
                                     stderr=self._log, stdin=subprocess.DEVNULL, cwd=pair.workdir,
                                     env={**os.environ, **(env or {})})

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stderr(self) -> str:
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def roles(self) -> list[str]:
        return re.findall(r"role: (\w+)", self.stderr())

    @property
    def role(self) -> str | None:
        roles = self.roles()
        return roles[-1] if roles else None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_role(self, role: str, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.role == role:
                return True
            if not self.alive():
                return False
            time.sleep(0.02)
        return self.role == role

    def listening(self) -> bool:
        return "listening" in self.stderr()

    def kill9(self) -> None:
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def stop(self) -> None:
        kill_pid(self.proc)
        self._log.close()


class Pair:
    """Config, data directory and port shared by every node; nodes are started with `spawn`."""

    def __init__(self, workdir: str, *, ha: dict | None = None, extra_listeners=None, bridges=None,
                 limits: dict | None = None):
        self.workdir = workdir
        self.binary = os.environ["PIER_BIN"]
        self.host = HOST
        self.port = free_port()
        self.data_dir = os.path.join(workdir, "data")
        opts = BrokerOptions(limits=limits or {}, extra_listeners=list(extra_listeners or []),
                             bridges=list(bridges or []))
        cfg = yaml.safe_load(pier_config(opts, self.port, self.data_dir))
        cfg["ha"] = ha or {}
        self.config_path = os.path.join(workdir, "pair.yaml")
        with open(self.config_path, "w") as f:
            yaml.safe_dump(cfg, f, sort_keys=False)
        self.nodes: list[Node] = []

    def spawn(self, env: dict | None = None) -> Node:
        node = Node(self, len(self.nodes), env)
        self.nodes.append(node)
        return node

    def accepting(self) -> bool:
        try:
            socket.create_connection((self.host, self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def wait_accepting(self, timeout: float = 15.0, interval: float = 0.002) -> float | None:
        """Seconds until the port accepts (polling every `interval`), or None."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.accepting():
                return time.monotonic() - start
            time.sleep(interval)
        return None

    def live(self) -> list[Node]:
        return [n for n in self.nodes if n.alive()]

    def actives(self) -> list[Node]:
        return [n for n in self.live() if n.role == "active"]

    def the_active(self, timeout: float = 15.0) -> Node:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.actives()
            if len(found) == 1 and found[0].listening():
                return found[0]
            time.sleep(0.02)
        raise AssertionError("no single active node: " + "; ".join(f"node {n.index} alive={n.alive()} roles={n.roles()}"
                                                                  for n in self.nodes))

    def status(self) -> subprocess.CompletedProcess:
        return subprocess.run([self.binary, "status", "--data", self.data_dir], capture_output=True, text=True, timeout=10)

    def stop(self) -> None:
        for n in self.nodes:
            n.stop()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def foreign_lease(pid: int, host: str, epoch: int = 99) -> bytes:
    """A valid lease record naming another owner: what the active finds if someone took its lease."""
    body = (f"pier-lease 1 state=active owner=00000000000000ff epoch={epoch} seq=1 pid={pid} start=1 pidns=1 "
            f"boot=another-boot host={host} renewed_ms={int(time.time() * 1000)} lease_ms=100 timeout_ms=1000")
    line = (body + f" crc={crc32c(body.encode()):08x}\n").encode()
    return line + b" " * (511 - len(line)) + b"\n"


def log_end(stderr: str) -> tuple[str, int]:
    """The segment and size a fenced node logged as where its log ended."""
    m = re.search(r'log_end=(\d{20}\.log) (\d+)', stderr)
    assert m, f"no log_end in the fence line:\n{stderr[-3000:]}"
    return m.group(1), int(m.group(2))
