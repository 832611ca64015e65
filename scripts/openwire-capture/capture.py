#!/usr/bin/env python3
"""Capture real OpenWire traffic between Debian's activemq-client and Debian's ActiveMQ 5.17 broker.

    python3 capture.py [SCENARIO ...] [--encodings loose,tight] [--no-negotiation]

Starts two brokers on free ports (a plain one and a secured one for the `security`
scenario), each with a default OpenWire connector and a loose one
(wireFormat.tightEncodingEnabled=false&wireFormat.cacheEnabled=false); for every
encoding and scenario it starts proxy.py in front of the right connector, runs
java/Scenarios.java through it, waits for every proxied connection to close, stops
the proxy, and splits the streams with split.py into

    out/<encoding>/<scenario>/raw/cN-{c2b,b2c}.raw, cN-chunks.tsv   (as recorded)
    out/<encoding>/<scenario>/cN-<dir>-<index>-t<type>-<Name>.bin    (one frame each)
    out/<encoding>/<scenario>/index.tsv, scenario.log

Brokers start fresh (new data directory) for each encoding. Every process it starts
is stopped by its PID. Finally out/summary.json and out/SUMMARY.md are written and
the generated section of README.md is refreshed.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import split

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
RUN = os.path.join(HERE, "run")
JAVA_DIR = os.path.join(HERE, "java")
ACTIVEMQ_HOME = "/usr/share/activemq"
CLIENT_CP = ":".join("/usr/share/java/" + j for j in (
    "activemq-client.jar", "geronimo-jms_1.1_spec.jar", "geronimo-j2ee-management-1.1-spec.jar",
    "hawtbuf.jar", "slf4j-api.jar", "slf4j-nop.jar"))
LOOSE_OPTS = "wireFormat.tightEncodingEnabled=false&wireFormat.cacheEnabled=false"
ENCODINGS = {"loose": LOOSE_OPTS, "tight": ""}

# scenario -> which broker it runs against
SCENARIOS = [
    "basic", "credentials", "message-types", "topic", "durable", "selector", "browser", "prefetch0",
    "acks", "transactions", "xa", "tempdest", "advisory", "large", "keepalive", "errors",
    "slow-consumer", "producer-window", "compression", "consumer-options", "failover", "security",
    "broker-shutdown",
]
SECURED = {"security"}
LAST = "broker-shutdown"  # stops the broker: runs after everything else of its encoding

BROKER_XML = """<beans xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" useJmx="false" persistent="true"
          brokerName="{name}" dataDirectory="{data}" deleteAllMessagesOnStartup="true">
    <destinationPolicy>
      <policyMap>
        <policyEntries>
          <policyEntry queue="ow.slow.>">
            <slowConsumerStrategy>
              <abortSlowAckConsumerStrategy abortConnection="false" maxTimeSinceLastAck="1000"
                                            maxSlowDuration="500" checkPeriod="250"/>
            </slowConsumerStrategy>
          </policyEntry>
        </policyEntries>
      </policyMap>
    </destinationPolicy>
    <persistenceAdapter>
      <kahaDB directory="{data}/kahadb"/>
    </persistenceAdapter>
{plugins}
    <transportConnectors>
      <transportConnector name="openwire" uri="tcp://127.0.0.1:{port}"/>
      <transportConnector name="openwire-loose" uri="tcp://127.0.0.1:{loose_port}?{loose_opts}"/>
    </transportConnectors>
  </broker>
</beans>
"""

SECURITY_PLUGINS = """    <plugins>
      <simpleAuthenticationPlugin anonymousAccessAllowed="false">
        <users>
          <authenticationUser username="pier" password="secret" groups="users"/>
          <authenticationUser username="admin" password="admin" groups="admins,users"/>
        </users>
      </simpleAuthenticationPlugin>
      <authorizationPlugin>
        <map>
          <authorizationMap>
            <authorizationEntries>
              <authorizationEntry queue="allowed.>" read="users" write="users" admin="users"/>
              <authorizationEntry queue="forbidden.>" read="admins" write="admins" admin="admins"/>
              <authorizationEntry topic="ActiveMQ.Advisory.>" read="users" write="users" admin="users"/>
            </authorizationEntries>
            <tempDestinationAuthorizationEntry>
              <tempDestinationAuthorizationEntry read="users" write="users" admin="users"/>
            </tempDestinationAuthorizationEntry>
          </authorizationMap>
        </map>
      </authorizationPlugin>
    </plugins>"""

LOG4J = """log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=%d %-5p %c - %m%n
"""

LIVE = []  # processes to stop on the way out, by PID


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} not listening on {port} after {timeout}s")


def stop_pid(proc: subprocess.Popen, grace: float = 20.0) -> None:
    if proc is None or proc.poll() is not None:
        if proc in LIVE:
            LIVE.remove(proc)
        return
    try:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)
    except ProcessLookupError:
        pass
    if proc in LIVE:
        LIVE.remove(proc)


class Broker:
    def __init__(self, name: str, secured: bool):
        self.name = name
        self.dir = os.path.join(RUN, name)
        self.port = free_port()
        self.loose_port = free_port()
        self.secured = secured
        self.proc = None

    def start(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        for d in ("conf", "lib", "data"):
            os.makedirs(os.path.join(self.dir, d))
        data = os.path.join(self.dir, "data")
        with open(os.path.join(self.dir, "conf", "activemq.xml"), "w") as f:
            f.write(BROKER_XML.replace("{name}", self.name).replace("{data}", data)
                    .replace("{port}", str(self.port)).replace("{loose_port}", str(self.loose_port))
                    .replace("{loose_opts}", LOOSE_OPTS.replace("&", "&amp;"))
                    .replace("{plugins}", SECURITY_PLUGINS if self.secured else ""))
        with open(os.path.join(self.dir, "conf", "log4j.properties"), "w") as f:
            f.write(LOG4J)
        b = self.dir
        argv = ["java", "-Xmx256M", "-Djava.awt.headless=true", "--add-reads=java.xml=java.logging",
                "--add-opens", "java.base/java.security=ALL-UNNAMED", "--add-opens", "java.base/java.net=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                f"-Dactivemq.classpath={b}/conf", f"-Dactivemq.home={ACTIVEMQ_HOME}", f"-Dactivemq.base={b}",
                f"-Dactivemq.conf={b}/conf", f"-Dactivemq.data={b}/data",
                "-jar", f"{ACTIVEMQ_HOME}/bin/activemq.jar", "start", f"xbean:file:{b}/conf/activemq.xml"]
        self.log = open(os.path.join(self.dir, "broker.log"), "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     cwd=self.dir)
        LIVE.append(self.proc)
        wait_listening(self.port, self.proc, 90, f"broker {self.name}")
        wait_listening(self.loose_port, self.proc, 30, f"broker {self.name} (loose connector)")
        print(f"broker {self.name} pid {self.proc.pid}: openwire {self.port}, openwire-loose {self.loose_port}",
              flush=True)

    def stop(self, keep_log_to: str = None) -> None:
        stop_pid(self.proc, 30)
        self.log.close()
        if keep_log_to:
            os.makedirs(keep_log_to, exist_ok=True)
            shutil.copy(os.path.join(self.dir, "broker.log"), os.path.join(keep_log_to, f"{self.name}.log"))
            shutil.copy(os.path.join(self.dir, "conf", "activemq.xml"),
                        os.path.join(keep_log_to, f"{self.name}-activemq.xml"))
        shutil.rmtree(self.dir, ignore_errors=True)


class Proxy:
    def __init__(self, target_port: int, outdir: str):
        self.outdir = outdir
        self.opened = set()
        self.closed = set()
        self.cv = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "proxy.py"), "--listen", "127.0.0.1:0",
             "--target", f"127.0.0.1:{target_port}", "--out", outdir],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        LIVE.append(self.proc)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening "):
            raise RuntimeError(f"proxy said {line!r}")
        self.port = int(line.rsplit(":", 1)[1])
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            word, _, name = line.strip().partition(" ")
            with self.cv:
                if word == "open":
                    self.opened.add(name)
                elif word == "close":
                    self.closed.add(name)
                self.cv.notify_all()

    def wait_all_closed(self, timeout: float) -> bool:
        deadline = time.time() + timeout
        with self.cv:
            while self.opened - self.closed:
                left = deadline - time.time()
                if left <= 0:
                    return False
                self.cv.wait(left)
        return True

    def stop(self):
        stop_pid(self.proc, 5)


def compile_java() -> str:
    src = os.path.join(JAVA_DIR, "Scenarios.java")
    classes = os.path.join(JAVA_DIR, "classes")
    cls = os.path.join(classes, "Scenarios.class")
    if not os.path.exists(cls) or os.path.getmtime(cls) < os.path.getmtime(src):
        os.makedirs(classes, exist_ok=True)
        subprocess.run(["javac", "-d", classes, "-cp", CLIENT_CP, src], check=True)
    return classes


def run_scenario(scenario: str, target_port: int, wire_opts: str, dest: str, loose: bool, classes: str,
                 on_ready=None) -> dict:
    """Run one scenario through a fresh proxy. on_ready() is called (in a thread) when the
    scenario prints READY; broker-shutdown uses it to stop the broker under the client."""
    shutil.rmtree(dest, ignore_errors=True)
    raw = os.path.join(dest, "raw")
    os.makedirs(raw)
    proxy = Proxy(target_port, raw)
    helper = None
    try:
        t0 = time.time()
        proc = subprocess.Popen(["java", "-cp", f"{CLIENT_CP}:{classes}", "Scenarios", scenario,
                                 f"127.0.0.1:{proxy.port}", wire_opts],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
        LIVE.append(proc)
        timer = threading.Timer(180, lambda: stop_pid(proc, 5))
        timer.start()
        out = []
        for line in proc.stdout:
            out.append(line)
            if line.strip() == "READY" and on_ready:
                helper = threading.Thread(target=on_ready)
                helper.start()
        rc = proc.wait()
        timer.cancel()
        LIVE.remove(proc) if proc in LIVE else None
        if helper:
            helper.join()
        with open(os.path.join(dest, "scenario.log"), "w") as f:
            f.write("".join(out))
        clean = proxy.wait_all_closed(15)
    finally:
        proxy.stop()
    rows = split.split_dir(raw, dest, loose)
    status = "ok" if rc == 0 else f"exit {rc}"
    print(f"  {scenario:<18} {status:<8} {len(proxy.opened)} conn, {len(rows)} frames, "
          f"{time.time() - t0:.1f}s{'' if clean else ' (connections still open at stop)'}", flush=True)
    if rc != 0:
        print("    " + "\n    ".join("".join(out).strip().splitlines()[-15:]), flush=True)
    return {"status": status, "connections": len(proxy.opened), "frames": len(rows),
            "counts": count_rows(rows)}


def count_rows(rows) -> dict:
    counts = {}
    for r in rows:
        key = f"{r[6]}"
        counts.setdefault(key, {"name": r[7], "c2b": 0, "b2c": 0})
        counts[key][r[2]] += 1
    return counts


def wfi_of(dest: str) -> dict:
    """Decoded WireFormatInfo of connection c0, both directions, plus what the AND gives."""
    res = {}
    for d in ("c2b", "b2c"):
        with open(os.path.join(dest, "raw", f"c0-{d}.raw"), "rb") as f:
            res[d] = split.decode_wireformat_info(split.split_stream(f.read())[0][2])
    c, b = res["c2b"]["properties"], res["b2c"]["properties"]
    neg = {}
    for k in ("TightEncodingEnabled", "CacheEnabled", "StackTraceEnabled", "TcpNoDelayEnabled",
              "SizePrefixDisabled", "MaxFrameSizeEnabled"):
        neg[k] = bool(c.get(k)) and bool(b.get(k))
    for k in ("MaxInactivityDuration", "MaxInactivityDurationInitalDelay", "CacheSize", "MaxFrameSize"):
        if k in c and k in b:
            neg[k] = min(c[k], b[k])
    neg["version"] = min(res["c2b"]["version"], res["b2c"]["version"])
    res["negotiated"] = neg
    res["connection_info_layout"] = connection_info_layout(dest)
    return res


def connection_info_layout(dest: str) -> str:
    """Check the client's first ConnectionInfo: loose = type, int commandId, bool responseRequired,
    then a nested ConnectionId as (bool notNull=1, type 120, ...); tight starts with a boolean bitmap."""
    names = sorted(n for n in os.listdir(dest) if n.startswith("c0-c2b-") and "-t3-" in n)
    if not names:
        return "no ConnectionInfo"
    with open(os.path.join(dest, names[0]), "rb") as f:
        fr = f.read()
    if fr[9] in (0, 1) and fr[10] == 1 and fr[11] == 120:
        return f"loose (commandId={int.from_bytes(fr[5:9], 'big')}, nested ConnectionId tag 0x01 0x78)"
    return f"not loose (body starts {fr[4:16].hex()}: tight boolean-stream header)"


def fmt_props(p: dict, types: dict) -> str:
    return ", ".join(f"{k}={v!r} ({types.get(k)})" for k, v in p.items())


def loose_details() -> list:
    """Histograms over the decoded loose headers of every loose scenario's index.tsv."""
    import collections
    import re
    dispatch, acks, txs, errors = (collections.Counter() for _ in range(4))
    advisory = 0
    base = os.path.join(OUT, "loose")
    if not os.path.isdir(base):
        return []
    for sc in sorted(os.listdir(base)):
        idx = os.path.join(base, sc, "index.tsv")
        if not os.path.exists(idx):
            continue
        with open(idx) as f:
            next(f)
            for line in f:
                cols = line.rstrip("\n").split("\t")
                t, hdr = int(cols[6]) if cols[6] != "-1" else -1, cols[8]
                if t == 21:
                    m = re.search(r"message=(\w+)", hdr)
                    dispatch[m.group(1) if m else "?"] += 1
                    if "destination=topic://ActiveMQ.Advisory." in hdr:
                        advisory += 1
                elif t == 22:
                    m = re.search(r"ackType=(\S+)", hdr)
                    tx = " (in transaction)" if "tx=None" not in hdr else ""
                    acks[(m.group(1) if m else "?") + tx] += 1
                elif t == 7:
                    m = re.search(r"type=(\S+) tx=(\w+)", hdr)
                    txs[f"{m.group(1)} {m.group(2).replace('None', 'no id')}" if m else "?"] += 1
                elif t in (16, 31):
                    m = re.search(r"exception=\[([\w.$]+)", hdr)
                    errors[f"{split.type_name(t)}: {m.group(1) if m else '?'} ({sc})"] += 1

    def table(title, counter):
        out = [f"**{title}**", "", "| value | frames |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in sorted(counter.items())]
        return out + [""]

    lines = ["## Inside the loose frames (decoded from index.tsv)", "",
             "The broker never sends a bare message command: messages reach the client inside "
             f"MessageDispatch. {advisory} of the dispatches come from ActiveMQ.Advisory.* topics "
             "(their ActiveMQMessage carries a DataStructure: ConnectionInfo, ConsumerInfo, ProducerInfo, "
             "DestinationInfo). `null` = a dispatch with no message (end of a browse, or an empty pull).", ""]
    lines += table("MessageDispatch payload type", dispatch)
    lines += table("MessageAck ackType", acks)
    lines += table("TransactionInfo type / transaction id kind", txs)
    lines += table("Errors from the broker (class, scenario)", errors)
    return lines


def write_summary(summary: dict) -> str:
    lines = ["# OpenWire capture summary", "",
             f"Captured {summary['when']} with activemq-client and broker {summary['provider_version']} "
             f"(Debian), Java {summary['java']}.", ""]
    encs = [e for e in ("loose", "tight") if e in summary["encodings"]]
    # per-type table
    all_types = set()
    for e in encs:
        for sc in summary["encodings"][e].values():
            all_types.update(int(t) for t in sc["counts"])
    lines += ["## Frame files per type id (all scenarios; client→broker / broker→client)", ""]
    hdr = "| type | name | " + " | ".join(f"{e} c2b | {e} b2c" for e in encs) + " |"
    lines += [hdr, "|" + "---|" * (2 + 2 * len(encs))]
    for t in sorted(all_types):
        name = split.type_name(t) if t >= 0 else "Truncated"
        cells = []
        for e in encs:
            c2b = sum(sc["counts"].get(str(t), {}).get("c2b", 0) for sc in summary["encodings"][e].values())
            b2c = sum(sc["counts"].get(str(t), {}).get("b2c", 0) for sc in summary["encodings"][e].values())
            cells += [str(c2b), str(b2c)]
        lines.append(f"| {t} | {name} | " + " | ".join(cells) + " |")
    missing = [f"{t} {n}" for t, n in sorted(split.TYPE_NAMES.items()) if t not in all_types]
    lines += ["", "Type ids never seen: " + ", ".join(missing), ""]
    # per-scenario
    lines += ["## Scenarios", "", "| scenario | " + " | ".join(f"{e}: status, conns, frames" for e in encs)
              + " | types seen (loose) |", "|" + "---|" * (2 + len(encs))]
    first = summary["encodings"][encs[0]]
    for sc in first:
        cells = []
        for e in encs:
            r = summary["encodings"][e].get(sc)
            cells.append(f"{r['status']}, {r['connections']}, {r['frames']}" if r else "-")
        types = " ".join(sorted(first[sc]["counts"], key=int))
        lines.append(f"| {sc} | " + " | ".join(cells) + f" | {types} |")
    lines.append("")
    lines += loose_details()
    # wire format info
    lines += ["## WireFormatInfo (connection c0 of scenario `basic`, and the negotiation checks)", ""]
    for label, w in summary["wireformat"].items():
        lines += [f"### {label}", "",
                  f"- client → broker (version {w['c2b']['version']}): {fmt_props(w['c2b']['properties'], w['c2b']['types'])}",
                  f"- broker → client (version {w['b2c']['version']}): {fmt_props(w['b2c']['properties'], w['b2c']['types'])}",
                  f"- negotiated (AND of booleans, min of numbers): "
                  + ", ".join(f"{k}={v}" for k, v in w["negotiated"].items()),
                  f"- first ConnectionInfo on the wire: {w['connection_info_layout']}", ""]
    text = "\n".join(lines)
    with open(os.path.join(OUT, "SUMMARY.md"), "w") as f:
        f.write(text)
    with open(os.path.join(OUT, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, default=str)
    readme = os.path.join(HERE, "README.md")
    if os.path.exists(readme):
        with open(readme) as f:
            r = f.read()
        a, b = "<!-- BEGIN GENERATED -->", "<!-- END GENERATED -->"
        if a in r and b in r:
            body = text.split("\n", 2)[2]  # drop the title; nest the headings one level deeper
            body = body.replace("\n### ", "\n#### ").replace("\n## ", "\n### ")
            r = r[:r.index(a) + len(a)] + "\n" + body + "\n" + r[r.index(b):]
            with open(readme, "w") as f:
                f.write(r)
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenarios", nargs="*", help=f"default: all of {' '.join(SCENARIOS)}")
    ap.add_argument("--encodings", default="loose,tight")
    ap.add_argument("--no-negotiation", action="store_true", help="skip the two negotiation cross-checks")
    ap.add_argument("--report", action="store_true",
                    help="only rebuild out/SUMMARY.md and README.md from out/summary.json and the index files")
    args = ap.parse_args()
    if args.report:
        with open(os.path.join(OUT, "summary.json")) as f:
            print(write_summary(json.load(f)))
        return 0
    scenarios = args.scenarios or SCENARIOS
    for s in scenarios:
        if s not in SCENARIOS:
            ap.error(f"unknown scenario {s}")
    classes = compile_java()
    java_version = subprocess.run(["java", "-version"], stderr=subprocess.PIPE, text=True).stderr.splitlines()[0]
    summary = {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "java": java_version, "provider_version": "?",
               "encodings": {}, "wireformat": {}}
    if not args.scenarios and args.encodings == "loose,tight" and not args.no_negotiation:
        shutil.rmtree(OUT, ignore_errors=True)  # a full run replaces everything
    os.makedirs(OUT, exist_ok=True)
    failures = 0
    try:
        for enc in args.encodings.split(","):
            opts = ENCODINGS[enc]
            loose = enc == "loose"
            print(f"== {enc} encoding (client options: {opts or 'defaults'})", flush=True)
            main_b, sec_b = Broker("ow-main", False), Broker("ow-secured", True)
            main_b.start()
            if any(s in SECURED for s in scenarios):
                sec_b.start()
            results = {}
            try:
                def one(sc, on_ready=None):
                    nonlocal failures
                    b = sec_b if sc in SECURED else main_b
                    # loose captures go to the loose connector, so both sides advertise loose
                    port = b.loose_port if loose else b.port
                    dest = os.path.join(OUT, enc, sc)
                    results[sc] = run_scenario(sc, port, opts, dest, loose, classes, on_ready)
                    failures += results[sc]["status"] != "ok"
                    if sc == "basic":
                        summary["wireformat"][f"{enc}: client options '{opts or 'defaults'}' → "
                                              f"{'loose' if loose else 'default'} connector"] = wfi_of(dest)

                for sc in scenarios:
                    if sc != LAST:
                        one(sc)
                if enc == args.encodings.split(",")[0] and not args.no_negotiation:
                    print("== negotiation cross-checks (scenario basic)", flush=True)
                    for label, port, o in (("client-loose_broker-default", main_b.port, LOOSE_OPTS),
                                           ("client-default_broker-loose", main_b.loose_port, "")):
                        dest = os.path.join(OUT, "negotiation", label)
                        r = run_scenario("basic", port, o, dest, True, classes)
                        failures += r["status"] != "ok"
                        summary["wireformat"][f"negotiation: client options '{o or 'defaults'}' → "
                                              f"{'default' if port == main_b.port else 'loose'} connector"] = \
                            wfi_of(dest)
                if LAST in scenarios:
                    one(LAST, on_ready=lambda: (time.sleep(0.5), stop_pid(main_b.proc, 30)))
            finally:
                logs = os.path.join(OUT, enc, "_broker")
                main_b.stop(logs)
                if sec_b.proc:
                    sec_b.stop(logs)
            summary["encodings"][enc] = results
        for w in summary["wireformat"].values():
            summary["provider_version"] = w["b2c"]["properties"].get("ProviderVersion", "?")
        print(write_summary(summary))
    finally:
        for p in list(LIVE):
            stop_pid(p, 10)
        shutil.rmtree(RUN, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
