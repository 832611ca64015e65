#!/usr/bin/env python3
"""Bridge benchmark: MQTT QoS 1 into Pier, AMQP 1.0 out to RabbitMQ 3.10 (durable queue), on this box.

    bench/bridge.py [--pier .build/release/pier] [--backlog-seconds 15] [--duration 10] [--rate 2000]

1. Drain: the uplink is down while `pier bench pub` builds a backlog; then RabbitMQ starts and the
   time from the first message to the last arriving in RabbitMQ's queue gives the drain rate.
   Reference, in the same run against the same RabbitMQ: qpid-proton's C `send` example, patched to send
   messages shaped like the bridge's (durable, subject, two application properties, 100-byte data
   body), all unsettled at once. It shows what this RabbitMQ on this box accepts from a native client.
2. Throughput: with the uplink up, `pier bench pub` at full speed; RabbitMQ's queue depth over time.
3. Latency: a fixed rate, consumed with pika; end-to-end latency from the timestamp `pier bench`
   puts in each payload (CLOCK_MONOTONIC, the same clock as Python's monotonic_ns).

Needs the venv's pika (`scripts/venv.sh`) and RabbitMQ (`scripts/install-deps.sh test`). Stops every
process it started by PID.
"""
import argparse
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, ".venv", "lib", f"python{sys.version_info.major}.{sys.version_info.minor}", "site-packages"))
import pika  # noqa: E402

QUEUE = "pier-bench-bridge"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(msg):
    print(f"[bridge-bench] {msg}", file=sys.stderr, flush=True)


class Pier:
    def __init__(self, binary, work, amqp_port, name, window=2000, credentials=True):
        self.port = free_port()
        data = os.path.join(work, f"data-{name}")
        bridge = os.path.join(work, f"bridge-{name}.yaml")
        with open(bridge, "w") as f:
            login = "  username: guest\n  password: guest\n" if credentials else ""
            f.write(f"name: bench\nuplink:\n  addresses: [127.0.0.1:{amqp_port}]\n{login}"
                    f"  reconnect_max_delay_ms: 500\nforward:\n  - filter: pier-bench/#\n    address: /queue/{QUEUE}\n"
                    f"buffer:\n  max_messages: 10000000\n  max_bytes: 4294967296\nwindow: {window}\n")
        config = os.path.join(work, f"pier-{name}.yaml")
        with open(config, "w") as f:
            f.write(f"data_dir: {data}\nlisteners: [{{port: {self.port}}}]\nbridges: [{bridge}]\n"
                    f"limits: {{max_queued_messages: 10000000, max_inflight: 100}}\nstorage: {{checkpoint_records: 1000000}}\n")
        self.proc = subprocess.Popen([binary, "serve", "--config", config], stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(work, f"pier-{name}.log"), "w"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("pier did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


PROTON_EXAMPLES = "/usr/share/proton/examples/c"


def build_reference_sender(work):
    """qpid-proton's C send example, with the message it sends changed to the bridge's shape."""
    src = open(os.path.join(PROTON_EXAMPLES, "send.c")).read()
    old_body = """  pn_data_put_map(body);
  pn_data_enter(body);
  pn_data_put_string(body, pn_bytes(sizeof("sequence")-1, "sequence"));
  pn_data_put_int(body, app->sent); /* The sequence number */
  pn_data_exit(body);"""
    new_body = """  { static char payload[100]; pn_data_put_binary(body, pn_bytes(sizeof(payload), payload)); }
  pn_message_set_inferred(app->message, true);
  pn_message_set_durable(app->message, true);
  pn_message_set_subject(app->message, "pier-bench/1");
  { pn_data_t *ap = pn_message_properties(app->message); pn_data_put_map(ap); pn_data_enter(ap);
    pn_data_put_string(ap, pn_bytes(10, "mqtt-topic")); pn_data_put_string(ap, pn_bytes(12, "pier-bench/1"));
    pn_data_put_string(ap, pn_bytes(8, "mqtt-qos")); pn_data_put_ubyte(ap, 1);
    pn_data_exit(ap); }"""
    if old_body not in src:
        raise SystemExit("send.c changed: update build_reference_sender")
    # A durable target, as the bridge asks for: RabbitMQ then uses the same durable queue.
    old_target = "pn_terminus_set_address(pn_link_target(l), app->amqp_address);"
    if old_target not in src:
        raise SystemExit("send.c changed: update build_reference_sender")
    src = src.replace(old_target, old_target + " pn_terminus_set_durability(pn_link_target(l), PN_DELIVERIES);")
    path = os.path.join(work, "reference-send.c")
    with open(path, "w") as f:
        f.write(src.replace(old_body, new_body))
    binary = os.path.join(work, "reference-send")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libqpid-proton"], capture_output=True, text=True, check=True).stdout.split()
    subprocess.run(["gcc", "-O2", "-I", PROTON_EXAMPLES, "-o", binary, path, *flags], check=True)
    return binary


def reference_rate(binary, port, n):
    """Messages per second the reference client gets accepted by RabbitMQ (guest is RabbitMQ's anonymous user)."""
    t0 = time.monotonic()
    subprocess.run([binary, "127.0.0.1", str(port), f"/queue/{QUEUE}", str(n)], check=True, capture_output=True, timeout=600)
    return n / (time.monotonic() - t0)


def bench_pub(binary, port, seconds, rate="max", publishers=4):
    out = subprocess.run([binary, "bench", "pub", "-p", str(port), "--publishers", str(publishers), "--qos", "1",
                          "--size", "100", "--duration", str(seconds), "--rate", str(rate), "--topic-prefix", "pier-bench",
                          "--json"], capture_output=True, text=True, timeout=seconds + 120)
    if out.returncode != 0:
        raise SystemExit(f"pier bench pub failed: {out.stderr}")
    return json.loads(out.stdout)


def queue_depth(port):
    conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port, credentials=pika.PlainCredentials("guest", "guest")))
    try:
        return conn.channel().queue_declare(queue=QUEUE, durable=True).method.message_count
    finally:
        conn.close()


def purge(port):
    conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port, credentials=pika.PlainCredentials("guest", "guest")))
    ch = conn.channel()
    ch.queue_declare(queue=QUEUE, durable=True)
    ch.queue_purge(QUEUE)
    conn.close()


def wait_depth(port, n, timeout):
    """Returns (time of first non-empty observation, time the depth reached n)."""
    first = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            d = queue_depth(port)
        except Exception:
            time.sleep(0.2)
            continue
        now = time.monotonic()
        if d > 0 and first is None:
            first = now
        if d >= n:
            return first, now
        time.sleep(0.05)
    raise SystemExit(f"RabbitMQ queue did not reach {n} (depth {queue_depth(port)})")


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pier", default=os.path.join(REPO, ".build", "release", "pier"))
    ap.add_argument("--backlog-seconds", type=float, default=15)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--rate", type=int, default=2000, help="per-publisher rate of the latency run")
    ap.add_argument("--window", type=int, default=2000, help="the bridge's unsettled-transfer window")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pier-bridge-bench-")
    rabbit_dir = os.path.join(work, "rabbit")
    os.makedirs(rabbit_dir)
    amqp = free_port()
    node = os.path.join(REPO, "scripts", "rabbitmq-node.sh")
    piers = []
    rabbit_started = False
    results = {}
    try:
        # 1. Backlog with the uplink down, then drain.
        p = Pier(args.pier, work, amqp, "drain", args.window)
        piers.append(p)
        log(f"building a backlog for {args.backlog_seconds}s with the uplink down")
        pub = bench_pub(args.pier, p.port, args.backlog_seconds)
        backlog = pub["acknowledged"]
        log(f"backlog: {backlog} acknowledged messages; starting RabbitMQ")
        subprocess.run([node, "start", rabbit_dir, str(amqp), str(free_port()), str(free_port())], check=True, timeout=120)
        rabbit_started = True
        first, last = wait_depth(amqp, backlog, timeout=600)
        results["backlog"] = backlog
        results["drain_msgs_per_s"] = backlog / max(last - first, 1e-3)
        p.stop()
        piers.remove(p)
        purge(amqp)
        reference = build_reference_sender(work)
        # As many as the drain moved, into the same (emptied) queue: RabbitMQ slows as a queue grows.
        n = backlog
        log(f"reference: qpid-proton's C client sending {n} messages")
        results["reference_msgs_per_s"] = reference_rate(reference, amqp, n)
        purge(amqp)

        # 2. Throughput with the uplink up.
        p = Pier(args.pier, work, amqp, "live", args.window)
        piers.append(p)
        time.sleep(1)
        log(f"bridged throughput for {args.duration}s")
        t0 = time.monotonic()
        pub = bench_pub(args.pier, p.port, args.duration)
        _, done = wait_depth(amqp, pub["acknowledged"], timeout=600)
        results["published"] = pub["acknowledged"]
        results["publish_msgs_per_s"] = pub["sent_per_second"]
        results["bridged_msgs_per_s"] = pub["acknowledged"] / (done - t0)
        purge(amqp)

        # 3. Latency at a fixed rate, consumed with pika.
        latencies = []
        stop = threading.Event()

        def consume():
            conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", amqp, credentials=pika.PlainCredentials("guest", "guest")))
            ch = conn.channel()
            ch.basic_qos(prefetch_count=1000)
            for method, _, body in ch.consume(QUEUE, auto_ack=True, inactivity_timeout=0.5):
                if stop.is_set():
                    break
                if body:
                    latencies.append((time.monotonic_ns() - struct.unpack(">Q", body[:8])[0]) / 1000)
            conn.close()

        consumer = threading.Thread(target=consume)
        consumer.start()
        time.sleep(1)
        log(f"latency at {args.rate} msg/s for {args.duration}s")
        pub = bench_pub(args.pier, p.port, args.duration, rate=args.rate, publishers=1)
        deadline = time.monotonic() + 30
        while len(latencies) < pub["acknowledged"] and time.monotonic() < deadline:
            time.sleep(0.2)
        stop.set()
        consumer.join(10)
        lat = sorted(latencies)
        results["latency_rate"] = args.rate
        results["latency_samples"] = len(lat)
        for name, q in (("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999)):
            results[f"latency_{name}_us"] = percentile(lat, q)
        results["latency_max_us"] = lat[-1]
    finally:
        for p in piers:
            p.stop()
        if rabbit_started:
            subprocess.run([node, "stop", rabbit_dir], timeout=60)
        shutil.rmtree(work, ignore_errors=True)

    print(f"{'metric':<48} {'value':>14}")
    print(f"{'backlog built with the uplink down (messages)':<48} {results['backlog']:>14,}")
    print(f"{'reference: qpid-proton C client into RabbitMQ (msg/s)':<48} {results['reference_msgs_per_s']:>14,.0f}")
    print(f"{'drain rate into RabbitMQ (msg/s)':<48} {results['drain_msgs_per_s']:>14,.0f}"
          f"   {results['drain_msgs_per_s'] / results['reference_msgs_per_s']:.2f}x reference")
    print(f"{'MQTT QoS 1 publish rate into Pier (msg/s)':<48} {results['publish_msgs_per_s']:>14,.0f}")
    print(f"{'bridged throughput, MQTT in to RabbitMQ (msg/s)':<48} {results['bridged_msgs_per_s']:>14,.0f}"
          f"   {results['bridged_msgs_per_s'] / results['reference_msgs_per_s']:.2f}x reference")
    for name in ("p50", "p99", "p99.9", "max"):
        print(f"{'end-to-end latency ' + name + ' at ' + str(results['latency_rate']) + ' msg/s (µs)':<48} "
              f"{results['latency_' + name + '_us']:>14,.0f}")
    print(json.dumps(results), file=sys.stderr)


if __name__ == "__main__":
    main()
