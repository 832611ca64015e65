#!/usr/bin/env python3
"""Recording TCP proxy (stdlib only).

    python3 proxy.py --listen 127.0.0.1:PORT --target 127.0.0.1:BROKERPORT --out DIR

For every accepted connection N (numbered from 0 in accept order) it opens a
connection to the target and relays bytes both ways unchanged, writing:

    DIR/cN-c2b.raw    every byte the client sent to the broker
    DIR/cN-b2c.raw    every byte the broker sent to the client
    DIR/cN-chunks.tsv one line per relayed read: seq, monotonic ns, dir, offset, length
                      (lets a reader reconstruct the interleaving of the two directions)

It prints "listening HOST:PORT" once bound (PORT 0 picks a free port), then
"open cN" / "close cN" lines, flushing each, so a driver can tell when all
connections of a scenario have finished. SIGTERM/SIGINT stop it.
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time

_print_lock = threading.Lock()


def say(line: str) -> None:
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Recorder:
    """Shared sequence counter so the chunk log orders both directions of one connection."""

    def __init__(self, path: str):
        self.lock = threading.Lock()
        self.seq = 0
        self.log = open(path, "w", buffering=1)
        self.log.write("seq\tmono_ns\tdir\toffset\tlength\n")

    def note(self, direction: str, offset: int, length: int) -> None:
        with self.lock:
            self.log.write(f"{self.seq}\t{time.monotonic_ns()}\t{direction}\t{offset}\t{length}\n")
            self.seq += 1

    def close(self) -> None:
        with self.lock:
            self.log.close()


def pump(src: socket.socket, dst: socket.socket, path: str, direction: str, rec: Recorder) -> None:
    offset = 0
    with open(path, "wb", buffering=0) as out:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                out.write(data)
                rec.note(direction, offset, len(data))
                offset += len(data)
                dst.sendall(data)
        except OSError:
            pass
    # propagate the half-close (or the failure) to the other side
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def handle(n: int, client: socket.socket, target: tuple, outdir: str) -> None:
    name = f"c{n}"
    try:
        upstream = socket.create_connection(target)
    except OSError as e:
        say(f"error {name} connect {target}: {e}")
        client.close()
        say(f"close {name}")
        return
    for s in (client, upstream):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rec = Recorder(os.path.join(outdir, f"{name}-chunks.tsv"))
    say(f"open {name}")
    t1 = threading.Thread(target=pump, args=(client, upstream, os.path.join(outdir, f"{name}-c2b.raw"), "c2b", rec),
                          daemon=True)
    t2 = threading.Thread(target=pump, args=(upstream, client, os.path.join(outdir, f"{name}-b2c.raw"), "b2c", rec),
                          daemon=True)
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    client.close()
    upstream.close()
    rec.close()
    say(f"close {name}")


def hostport(s: str) -> tuple:
    host, _, port = s.rpartition(":")
    return (host or "127.0.0.1", int(port))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT to listen on (port 0 = any free port)")
    ap.add_argument("--target", required=True, help="HOST:PORT of the broker's OpenWire connector")
    ap.add_argument("--out", required=True, help="directory for the recorded streams")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(hostport(args.listen))
    srv.listen(64)
    host, port = srv.getsockname()[:2]
    say(f"listening {host}:{port}")

    def stop(*_):
        try:
            srv.close()
        finally:
            os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    target = hostport(args.target)
    n = 0
    while True:
        try:
            client, _ = srv.accept()
        except OSError:
            break
        threading.Thread(target=handle, args=(n, client, target, args.out), daemon=True).start()
        n += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
