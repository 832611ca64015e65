"""ActiveMQ's own command-line tool against Pier: Debian's `activemq producer` and `activemq consumer`
(ActiveMQ 5.17.2's console, speaking OpenWire through its JMS client), on a queue and on a topic.
The tool's report says what it sent and received; Pier, asked over STOMP, confirms the queue is empty."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from conftest import IS_MOSQUITTO, uid
from jms_support import activemq_tool
from stomp_support import open_connection
from test_23_openwire import openwire  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="mosquitto has no OpenWire listener")


def run_tool(base: str, *args: str, timeout: float = 120) -> str:
    r = subprocess.run(activemq_tool(base, *args), capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"activemq {args[0]}: exit {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout


def received_numbers(out: str) -> list[int]:
    return [int(n) for n in re.findall(r"Received test message: (\d+)", out)]


def test_activemq_producer_and_consumer_move_1000_persistent_messages_through_a_queue(openwire, tmp_path):
    name = uid("ow.tool")
    url = openwire.openwire_url
    out = run_tool(str(tmp_path / "producer"), "producer", "--brokerUrl", url, "--destination", f"queue://{name}",
                   "--messageCount", "1000")
    assert "Using persistent messages" in out, out[-2000:]
    assert "Produced: 1000 messages" in out, out[-2000:]

    out = run_tool(str(tmp_path / "consumer"), "consumer", "--brokerUrl", url, "--destination", f"queue://{name}",
                   "--messageCount", "1000")
    assert "Consumed: 1000 messages" in out, out[-2000:]
    got = received_numbers(out)
    assert sorted(got) == list(range(1000)), f"{len(got)} received, {len(set(got))} distinct"

    # Pier's own view, through another protocol: nothing left in the queue.
    conn, listener = open_connection(openwire.stomp)
    try:
        conn.subscribe(f"/queue/{name}", id="1", ack="auto")
        time.sleep(0.5)
        assert listener.messages == [], f"{len(listener.messages)} messages left in queue://{name}"
    finally:
        conn.disconnect()
    openwire.assert_alive()


def test_activemq_consumer_on_a_topic_gets_every_message_the_producer_sends(openwire, tmp_path):
    name = uid("ow.tool.t")
    url = openwire.openwire_url
    consumer = subprocess.Popen(activemq_tool(str(tmp_path / "consumer"), "consumer", "--brokerUrl", url,
                                              "--destination", f"topic://{name}", "--messageCount", "300"),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        # The tool logs this once its subscription is registered; a topic keeps nothing for late subscribers.
        for line in consumer.stdout:
            lines.append(line)
            if "messages are consumed" in line:
                break
        else:
            pytest.fail("activemq consumer never subscribed:\n" + "".join(lines[-40:]))
        out = run_tool(str(tmp_path / "producer"), "producer", "--brokerUrl", url, "--destination", f"topic://{name}",
                       "--messageCount", "300", "--persistent", "false")
        assert "Produced: 300 messages" in out, out[-2000:]
        rest, _ = consumer.communicate(timeout=60)
    finally:
        if consumer.poll() is None:
            consumer.kill()
            consumer.wait()
    out = "".join(lines) + rest
    assert consumer.returncode == 0, out[-3000:]
    assert "Consumed: 300 messages" in out, out[-3000:]
    assert sorted(received_numbers(out)) == list(range(300))
