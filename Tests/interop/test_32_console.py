"""The web console (served at `/` by the HTTP listener) in a real headless Chromium driven by selenium,
and the two Server-Sent Event streams it reads (`/api/events`, `/api/tail`) over plain sockets.

The broker has a STOMP listener and `http:` with a password file and an ACL file: alice has only the
`admin` line (no topic rights: the tail must still show her every topic), bob has topic rights but no
`admin`. Screenshots go to $PIER_ARTIFACTS/console-*.png (default /tmp/pier-artifacts/), never into the
source tree. Missing chromium, chromium-driver or selenium fails the test (scripts/install-deps.sh test
and scripts/venv.sh install them); it is never skipped."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import time

import pytest
import requests

from conftest import HOST, IS_MOSQUITTO, _accepts, free_port, mosquitto_pub, uid, wait_until
from stomp_support import StompTarget, open_connection
from test_29_admin_api import ADMIN, NOT_ADMIN, admin_auth

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # reported by the browser test itself, as a failure
    webdriver = None

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the console is Pier's")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def artifacts_dir() -> str:
    d = os.environ.get("PIER_ARTIFACTS") or "/tmp/pier-artifacts"
    os.makedirs(d, exist_ok=True)
    return d


@pytest.fixture
def console(make_broker, tmp_path):
    auth = admin_auth(tmp_path, "topic readwrite #\n\nuser alice\nadmin\n\nuser bob\ntopic readwrite #\n")
    stomp_port, http_port = free_port(), free_port()
    while http_port == stomp_port:  # free_port() may hand out a just-released port again
        http_port = free_port()
    broker = make_broker(**auth,
                         extra_listeners=[{"protocol": "stomp", "transport": "tcp", "bind": HOST, "port": stomp_port}],
                         extra_config={"http": {"bind": HOST, "port": http_port}})
    assert wait_until(lambda: _accepts(HOST, http_port), 10), broker.stderr()
    return broker, StompTarget(HOST, stomp_port, broker=broker), f"http://{HOST}:{http_port}", http_port


# --------------------------------------------------------------------------- a raw SSE client

class SSE:
    """GET on a plain socket, chunked transfer decoded by hand, so the test sees exactly what the
    broker writes and can cut the connection at any moment."""

    def __init__(self, port: int, path: str, auth=ADMIN):
        self.sock = socket.create_connection((HOST, port), timeout=10)
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {token}\r\n\r\n".encode())
        self.raw = b""
        self.head = self._read_head()
        self.status = int(self.head.split(b" ", 2)[1])
        self.text = ""

    def _fill(self, deadline: float) -> bool:
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not data:
            raise EOFError("the broker closed the stream")
        self.raw += data
        return True

    def _read_head(self) -> bytes:
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in self.raw:
            assert self._fill(deadline), "no response head"
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        return head

    def _decode_chunks(self) -> None:
        while b"\r\n" in self.raw:
            size_line, rest = self.raw.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if len(rest) < size + 2:
                return
            self.text += rest[:size].decode()
            self.raw = rest[size + 2:]

    def read_until(self, predicate, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            self._decode_chunks()
            if predicate(self):
                return True
            if time.monotonic() >= deadline or not self._fill(deadline):
                return bool(predicate(self))
        return True

    def events(self) -> list[dict]:
        out = []
        for block in self.text.split("\n\n"):
            data = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
            if data:
                out.append(json.loads("\n".join(data)))
        return out

    def opened(self) -> bool:
        return ": open\n\n" in self.text

    def close(self) -> None:
        self.sock.close()


def broker_fds(broker) -> int:
    return len(os.listdir(f"/proc/{broker.proc.pid}/fd"))


def tail_sessions(base: str) -> list[str]:
    sessions = requests.get(base + "/api/sessions", auth=ADMIN, timeout=10).json()
    return [s["client_id"] for s in sessions if s["client_id"].startswith("$admin/tail/")]


# --------------------------------------------------------------------------- SSE over HTTP

def test_event_streams_need_an_admin(console):
    _, _, base, _ = console
    for path in ("/api/events", "/api/tail?topic=%23"):
        r = requests.get(base + path, timeout=10)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Basic realm="pier"'
        assert requests.get(base + path, auth=("alice", "nope"), timeout=10).status_code == 401
        assert requests.get(base + path, auth=NOT_ADMIN, timeout=10).status_code == 403
    r = requests.get(base + "/api/tail?topic=%24share%2Fg%2Fa", auth=ADMIN, timeout=10)
    assert r.status_code == 400 and "shared" in r.json()["error"]


def test_the_tail_streams_matching_publishes(console):
    broker, _, base, port = console
    tail = SSE(port, "/api/tail?topic=sensors%2F%23")
    try:
        assert tail.status == 200, tail.head
        assert b"text/event-stream" in tail.head.lower() and b"transfer-encoding: chunked" in tail.head.lower()
        assert tail.read_until(SSE.opened), tail.text
        assert tail_sessions(base) != []
        mosquitto_pub(broker, "other/t1", "not this")
        mosquitto_pub(broker, "sensors/t1", "21.5", qos=1)
        assert tail.read_until(lambda s: any(e["topic"] == "sensors/t1" for e in s.events())), tail.text
        [event] = [e for e in tail.events() if e["topic"] == "sensors/t1"]
        assert event["payload"] == "21.5" and event["qos"] == 1 and event["retain"] is False
        assert event["bytes"] == 4 and event["truncated"] is False and event["time"] > 1_600_000_000_000
        assert all(e["topic"] != "other/t1" for e in tail.events())
    finally:
        tail.close()
    assert wait_until(lambda: tail_sessions(base) == [], 10), "the tail's session outlived its connection"


def test_the_log_stream_shows_broker_records(console):
    _, stomp, base, port = console
    log = SSE(port, "/api/events")
    try:
        assert log.status == 200 and log.read_until(SSE.opened), log.text
        q = uid("audit")
        conn, got = open_connection(stomp)
        conn.send(f"/queue/{q}", "x", receipt="r")
        assert got.wait_receipt("r")
        conn.disconnect()
        assert requests.delete(f"{base}/api/queues/{q}/messages", auth=ADMIN, timeout=10).json() == {"purged": 1}
        assert log.read_until(lambda s: any(e["message"] == "admin change" for e in s.events())), log.text
        [record] = [e for e in log.events() if e["message"] == "admin change"]
        assert record["level"] == "info" and record["label"] == "pier.admin"
        assert record["metadata"]["user"] == "alice" and record["metadata"]["path"] == f"/api/queues/{q}/messages"
        assert set(record) == {"time", "level", "label", "message", "source", "metadata"}
    finally:
        log.close()


def test_many_streams_opened_and_cut_leave_nothing_behind(console):
    broker, _, base, port = console
    # One warm-up pass: the first streams allocate what the process keeps anyway.
    for path in ("/api/events", "/api/tail?topic=%23"):
        s = SSE(port, path)
        assert s.read_until(SSE.opened)
        s.close()
    assert wait_until(lambda: tail_sessions(base) == [], 10)
    before = broker_fds(broker)
    for i in range(40):
        s = SSE(port, "/api/events" if i % 2 else f"/api/tail?topic=t%2F{i}%2F%23")
        assert s.status == 200 and s.read_until(SSE.opened), s.text
        s.close()
    assert wait_until(lambda: tail_sessions(base) == [], 10), tail_sessions(base)
    assert wait_until(lambda: broker_fds(broker) <= before, 10), (before, broker_fds(broker))
    broker_info = lambda: requests.get(base + "/api/broker", auth=ADMIN, timeout=10).json()  # noqa: E731
    assert wait_until(lambda: broker_info()["sessions"] == 0 and broker_info()["subscriptions"] == 0, 10), broker_info()
    # A stream opened now still works: nothing was left half-subscribed.
    s = SSE(port, "/api/tail?topic=t%2Flast")
    try:
        assert s.read_until(SSE.opened)
        mosquitto_pub(broker, "t/last", "ok")
        assert s.read_until(lambda x: [e["payload"] for e in x.events()] == ["ok"]), s.text
    finally:
        s.close()
    broker.assert_alive()


def test_console_assets_are_served_without_credentials(console):
    _, _, base, _ = console
    page = requests.get(base + "/", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "/console/app.js" in page.text and "http" not in page.text.replace("http://www.w3.org", "")
    for path, ctype in (("/console/app.js", "text/javascript; charset=utf-8"), ("/console/app.css", "text/css; charset=utf-8")):
        r = requests.get(base + path, timeout=10)
        assert r.status_code == 200 and r.headers["Content-Type"] == ctype
        again = requests.get(base + path, headers={"If-None-Match": r.headers["ETag"]}, timeout=10)
        assert again.status_code == 304 and again.content == b""
    assert requests.get(base + "/console/nope.js", timeout=10).status_code == 401, "anything else is the API's, with auth"


# --------------------------------------------------------------------------- the browser

def chrome():
    if webdriver is None:
        pytest.fail("selenium is not installed (scripts/venv.sh installs it)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    if not chromium or not driver_bin:
        pytest.fail("chromium and chromium-driver are not installed (scripts/install-deps.sh test installs them)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=driver_bin), options=opts)


def shot(driver, name: str) -> str:
    path = os.path.join(artifacts_dir(), f"console-{name}.png")
    assert driver.save_screenshot(path), path
    return path


def test_the_console_in_chromium(console):
    broker, stomp, base, _ = console
    n = 7
    q = uid("orders")
    conn, got = open_connection(stomp)
    for i in range(n):
        conn.send(f"/queue/{q}", f"order {i}", headers={"persistent": "true"}, receipt=f"r{i}")
    assert got.wait_receipt(f"r{n - 1}")

    driver = chrome()
    shots = []
    try:
        # The page rebuilds its tables on every poll: an element found a moment ago may be gone.
        wait = WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException])
        find = driver.find_element

        def login(user, password):
            for field, value in (("login-user", user), ("login-password", password)):
                find(By.ID, field).clear()
                find(By.ID, field).send_keys(value)
            find(By.ID, "login-submit").click()

        # A poll may rebuild a table row between finding an element and using it: retry on a fresh one.
        def act(selector, use):
            def attempt(d):
                try:
                    return use(d.find_element(By.CSS_SELECTOR, selector)) is not False
                except StaleElementReferenceException:
                    return False
            wait.until(attempt)

        def click(selector):
            act(selector, lambda e: e.click())

        def type_into(selector, text):
            act(selector, lambda e: e.send_keys(text) or e.get_attribute("value") == text)

        def tab(name):
            find(By.CSS_SELECTOR, f'#tabs button[data-tab="{name}"]').click()

        driver.get(base + "/")
        login("alice", "wrong")
        wait.until(lambda d: "401" in find(By.ID, "login-error").text)
        assert "Wrong user name or password" in find(By.ID, "login-error").text
        login(*NOT_ADMIN)
        wait.until(lambda d: "403" in find(By.ID, "login-error").text)
        shots.append(shot(driver, "login-error"))
        assert not find(By.ID, "app").is_displayed()

        login(*ADMIN)
        wait.until(lambda d: find(By.ID, "app").is_displayed())
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#cards .card")) > 5)
        # Two polls give the rate graphs a line.
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#graph-in polyline").get_attribute("points").count(",") >= 2)
        assert len(driver.find_elements(By.CSS_SELECTOR, "#listeners tbody tr")) == 2
        shots.append(shot(driver, "overview"))

        tab("connections")
        wait.until(lambda d: any("stomp" in r.text for r in d.find_elements(By.CSS_SELECTOR, "#connections-table tbody tr")))
        shots.append(shot(driver, "connections"))

        tab("queues")
        depth = f'#queues-table tr[data-queue="{q}"] td.depth'
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, depth) and d.find_element(By.CSS_SELECTOR, depth).text == str(n))
        click(f'#queues-table tr[data-queue="{q}"] button.browse')
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#queue-messages tbody tr")) == n)
        assert find(By.CSS_SELECTOR, "#queue-messages tbody tr td.payload").text == "order 0"
        shots.append(shot(driver, "queues"))
        click(f'#queues-table tr[data-queue="{q}"] button.purge')
        alert = wait.until(lambda d: d.switch_to.alert)
        assert q in alert.text
        alert.accept()
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, depth).text == "0")
        assert requests.get(f"{base}/api/queues/{q}", auth=ADMIN, timeout=10).json()["depth"] == 0
        assert f"Purged {n} messages" in find(By.ID, "error").text
        # Move: three messages of another queue into the purged one, typed target and button.
        src = uid("backlog")
        for i in range(3):
            conn.send(f"/queue/{src}", f"late {i}", headers={"persistent": "true"}, receipt=f"s{i}")
        assert got.wait_receipt("s2")
        find(By.ID, "queues-refresh").click()
        src_row = f'#queues-table tr[data-queue="{src}"]'
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, src_row + " td.depth")
                   and d.find_element(By.CSS_SELECTOR, src_row + " td.depth").text == "3")
        type_into(src_row + " input.move-to", q)
        click(src_row + " button.move")
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, depth).text == "3"
                   and d.find_element(By.CSS_SELECTOR, src_row + " td.depth").text == "0")
        assert requests.get(f"{base}/api/queues/{q}", auth=ADMIN, timeout=10).json()["depth"] == 3

        tab("bridges")
        wait.until(lambda d: find(By.ID, "bridges-table").is_displayed())
        shots.append(shot(driver, "bridges"))

        tab("tail")
        wait.until(lambda d: find(By.ID, "log-status").text == "live")
        find(By.ID, "tail-filter").clear()
        find(By.ID, "tail-filter").send_keys("sensors/#")
        find(By.ID, "tail-start").click()
        wait.until(lambda d: find(By.ID, "tail-status").text == "live")
        mosquitto_pub(broker, "elsewhere/x", "no")
        mosquitto_pub(broker, "sensors/kitchen/temp", "21.5 C")
        row = '#tail-list li[data-topic="sensors/kitchen/temp"]'
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, row))
        assert find(By.CSS_SELECTOR, row + " .payload").text == "21.5 C"
        assert not driver.find_elements(By.CSS_SELECTOR, '#tail-list li[data-topic="elsewhere/x"]')
        # Something the broker logs while the page watches: an admin change.
        requests.delete(f"{base}/api/queues/{q}/messages", auth=ADMIN, timeout=10)
        wait.until(lambda d: any("admin change" in li.text for li in d.find_elements(By.CSS_SELECTOR, "#log-list li")))
        shots.append(shot(driver, "tail"))
        find(By.ID, "tail-stop").click()
        assert wait_until(lambda: tail_sessions(base) == [], 10), "stopping the tail in the page ends its session"
    finally:
        driver.quit()
        conn.disconnect()

    for path in shots:
        with open(path, "rb") as f:
            data = f.read()
        assert len(data) > 1000 and data.startswith(PNG_MAGIC), path
    assert [os.path.basename(p) for p in shots] == [f"console-{n}.png" for n in
                                                    ("login-error", "overview", "connections", "queues", "bridges", "tail")]
    broker.assert_alive()


def test_an_empty_user_name_is_anonymous_access(make_broker):
    """With `http.allow_anonymous` and no password file, the console logs in without credentials."""
    http_port = free_port()
    broker = make_broker(extra_config={"http": {"bind": HOST, "port": http_port, "allow_anonymous": True}})
    assert wait_until(lambda: _accepts(HOST, http_port), 10), broker.stderr()
    driver = chrome()
    try:
        driver.get(f"http://{HOST}:{http_port}/")
        driver.find_element(By.ID, "login-submit").click()
        wait = WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException])
        wait.until(lambda d: d.find_element(By.ID, "app").is_displayed())
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#cards .card")) > 5)
        assert driver.find_element(By.ID, "login-error").text == ""
        # Credentials this broker cannot check are refused, not ignored.
        assert requests.get(f"http://{HOST}:{http_port}/api/broker", auth=("x", "y"), timeout=10).status_code == 401
    finally:
        driver.quit()
    broker.assert_alive()
