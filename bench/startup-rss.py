#!/usr/bin/env python3
"""Start-to-listening time and idle RSS of pier and mosquitto, side by side (median of N runs).

    bench/startup-rss.py [--pier .build/release/pier] [--runs 5]
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0])
    return out


def measure(argv_for_port, runs):
    times, rss = [], []
    for _ in range(runs):
        port = free_port()
        argv = argv_for_port(port)
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise SystemExit(f"{argv[0]} exited with {proc.returncode}")
                    time.sleep(0.002)
            times.append(time.monotonic() - t0)
            time.sleep(1.0)
            rss.append(status(proc.pid))
        finally:
            proc.terminate()
            proc.wait()
    med = lambda key: statistics.median(r[key] for r in rss)
    return statistics.median(times), med("VmRSS"), med("RssAnon"), med("RssFile")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pier", default=".build/release/pier")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pier-startup-")
    try:
        def pier(port):
            return [args.pier, "serve", "-p", str(port), "--data", os.path.join(work, f"data-{port}")]

        def mosquitto(port):
            conf = os.path.join(work, f"mosquitto-{port}.conf")
            with open(conf, "w") as f:
                f.write(f"per_listener_settings false\nallow_anonymous true\nlistener {port} 127.0.0.1\n")
                if os.geteuid() == 0:
                    f.write("user root\n")
            return ["mosquitto", "-c", conf]

        print(f"{'broker':<10} {'start→listen':>13} {'VmRSS':>9} {'anon':>9} {'file':>9}")
        for name, fn in (("pier", pier), ("mosquitto", mosquitto)):
            t, vm, anon, file = measure(fn, args.runs)
            print(f"{name:<10} {t * 1000:>10.1f} ms {vm:>6} KiB {anon:>6} KiB {file:>6} KiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
