"""`pier bench` end to end: a tiny scenario against the broker under test (no timing asserted)."""
import json
import os
import subprocess

import pytest

# The bench client is pier itself, also when the broker under test is mosquitto.
PIER_BIN = os.environ.get("PIER_BIN") or pytest.fail("set PIER_BIN to the pier binary", pytrace=False)

PUBSUB_FIELDS = {
    "command", "broker", "mqtt_version", "topology", "qos", "size", "publishers", "subscribers", "duration",
    "connect_failures", "sent", "acknowledged", "sent_per_second", "expected", "received",
    "received_per_second", "sent_mb_per_second", "received_mb_per_second", "lost", "duplicates",
    "latency_us", "errors",
}


def run_bench(args: list[str], timeout: float = 60) -> dict:
    proc = subprocess.run([PIER_BIN, "bench", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, timeout=timeout)
    assert proc.returncode == 0, f"bench failed ({proc.returncode}):\n{proc.stderr.decode()[-3000:]}"
    return json.loads(proc.stdout)


@pytest.mark.parametrize("version", ["3.1.1", "5"])
def test_bench_pubsub_pairs_qos1(broker, version):
    # --backlog 200 keeps each subscriber's queue under the fixture's max_queued_messages (1000),
    # so a broker that drops on a full queue still delivers every message here.
    result = run_bench(["pubsub", "--port", str(broker.port), "--pairs", "2", "--duration", "1", "--qos", "1",
                        "--mqtt-version", version, "--backlog", "200", "--json"])
    assert PUBSUB_FIELDS <= result.keys()
    assert result["command"] == "pubsub"
    assert result["publishers"] == 2 and result["subscribers"] == 2 and result["qos"] == 1
    assert result["connect_failures"] == 0
    assert result["sent"] > 0
    assert result["acknowledged"] == result["sent"]
    assert result["received"] > 0
    assert result["received"] == result["expected"] and result["lost"] == 0
    latency = result["latency_us"]
    assert {"count", "p50", "p99", "p999", "max", "mean"} <= latency.keys()
    assert latency["count"] == result["received"]
    assert 0 < latency["p50"] <= latency["p99"] <= latency["p999"] <= latency["max"]
    broker.assert_alive()


def test_bench_conn_with_subscriptions(broker):
    result = run_bench(["conn", "--port", str(broker.port), "--connections", "50", "--rate", "500",
                        "--subscribe", "--hold", "0.5", "--broker-pid", str(broker.proc.pid), "--json"])
    assert result["established"] == 50 and result["failures"] == 0 and result["held_at_end"] == 50
    assert result["broker_rss_before"] > 0 and result["broker_rss_after"] > 0
    assert "bytes_per_connection" in result
    broker.assert_alive()
