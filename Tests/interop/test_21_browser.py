"""A real browser: Debian's headless Chromium speaks MQTT and STOMP with Pier through its own
WebSocket, over ws and over wss.

The test serves browser/index.html and browser/client.js itself (http.server on a free port), so
the page has a real origin (http://127.0.0.1:PORT) that the ws/wss listeners allow with
`allowed_origins`; a third listener allows only https://dash.example and must refuse the page.

Trusting the test CA: Chromium on Linux takes locally trusted roots from the user's NSS database
(~/.pki/nssdb).  The test makes one with `certutil` (libnss3-tools) in a temporary HOME and adds the
throwaway CA from pki.py as a trusted SSL root, so the wss connection is verified like any other:
no --ignore-certificate-errors and no SPKI pin.  A control run with an empty NSS database must fail
the same wss connection, which shows the trust really comes from that CA.

The page holds its load event (the server delays hold.js until the page has POSTed its result), so
`--dump-dom` and `--screenshot` see the finished page without --virtual-time-budget.  The
screenshot goes to $PIER_ARTIFACTS/browser-websocket.png (default /tmp/pier-artifacts/), never into
the source tree.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import HOST, IS_MOSQUITTO, free_port, kill_pid
from pki import make_pki
from ws_support import start_ws_broker, ws_listener

pytestmark = pytest.mark.skipif(IS_MOSQUITTO, reason="the ws/wss listener config is Pier's")

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_DIR = os.path.join(HERE, "browser")
ALL_STEPS = ["mqtt-ws", "stomp-ws", "mqtt-wss", "stomp-wss", "forbidden-origin"]


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium is not installed (scripts/install-deps.sh test installs Debian's chromium)")


def artifacts_dir() -> str:
    d = os.environ.get("PIER_ARTIFACTS") or "/tmp/pier-artifacts"
    os.makedirs(d, exist_ok=True)
    return d


# --------------------------------------------------------------------------- the page server

class PageServer:
    """Serves /run/<id>/{index.html,client.js}; /run/<id>/hold.js is held until the page POSTs
    /run/<id>/result (or 30 s pass)."""

    def __init__(self):
        self.results: dict[str, dict] = {}
        self.events: dict[str, threading.Event] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _event(self, run):
                with server.lock:
                    return server.events.setdefault(run, threading.Event())

            def _send(self, code, body: bytes, ctype="text/plain"):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                m = re.match(r"^/run/([\w-]+)/([\w.-]+)(\?.*)?$", self.path)
                if not m:
                    return self._send(404, b"not found")
                run, name = m.group(1), m.group(2)
                if name == "hold.js":
                    self._event(run).wait(30)
                    return self._send(200, b"// released\n", "text/javascript")
                types = {"index.html": "text/html; charset=utf-8", "client.js": "text/javascript; charset=utf-8"}
                if name not in types:
                    return self._send(404, b"not found")
                with open(os.path.join(PAGE_DIR, name), "rb") as f:
                    self._send(200, f.read(), types[name])

            def do_POST(self):
                m = re.match(r"^/run/([\w-]+)/result$", self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if not m:
                    return self._send(404, b"not found")
                try:
                    result = json.loads(body)
                except ValueError:
                    result = {"ok": False, "error": "unparsable result", "raw": body.decode(errors="replace")}
                with server.lock:
                    server.results[m.group(1)] = result
                self._event(m.group(1)).set()
                self._send(204, b"")

        self.port = free_port()
        self.httpd = ThreadingHTTPServer((HOST, self.port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, run: str, query: str) -> str:
        return f"{self.origin}/run/{run}/index.html?{query}"

    def close(self):
        for e in self.events.values():
            e.set()
        self.httpd.shutdown()
        self.httpd.server_close()


# --------------------------------------------------------------------------- chromium

def nss_home(base: str, ca: str | None) -> str:
    """A HOME whose ~/.pki/nssdb trusts `ca` as an SSL root (or trusts nothing when ca is None)."""
    home = os.path.join(base, "home")
    db = os.path.join(home, ".pki", "nssdb")
    os.makedirs(db, exist_ok=True)
    certutil = shutil.which("certutil")
    assert certutil, "certutil is not installed (scripts/install-deps.sh test installs libnss3-tools)"
    r = subprocess.run([certutil, "-d", f"sql:{db}", "-N", "--empty-password"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    if ca:
        r = subprocess.run([certutil, "-d", f"sql:{db}", "-A", "-t", "C,,", "-n", "pier-test-ca", "-i", ca],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        listing = subprocess.run([certutil, "-d", f"sql:{db}", "-L"], capture_output=True, text=True, timeout=30)
        assert "pier-test-ca" in listing.stdout, listing.stdout
    return home


def run_chromium(base: str, home: str, url: str, *, mode: list[str], timeout: float = 60.0) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="profile-", dir=base)
    argv = [chromium_binary(), "--headless", "--disable-gpu", "--no-sandbox", f"--user-data-dir={profile}",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--password-store=basic",
            "--use-mock-keychain", *mode, url]
    env = {**os.environ, "HOME": home}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # Chromium's helper processes are in the session we started for it; end that group by its id.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        kill_pid(proc, grace=1)
        raise AssertionError(f"chromium did not finish within {timeout}s: {argv}")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return subprocess.CompletedProcess(argv, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def dom_result(dom: str) -> dict:
    m = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert m and m.group(1).strip(), f"no result in the dumped DOM:\n{dom[-3000:]}"
    return json.loads(html.unescape(m.group(1)))


def describe(result: dict) -> str:
    lines = [f"ok={result.get('ok')} origin={result.get('origin')} {result.get('error', '')}"]
    for s in result.get("steps", []):
        lines.append(f"  {s.get('step')}: ok={s.get('ok')} protocol={s.get('protocol')!r} "
                     f"events={s.get('events')} error={s.get('error')} received={s.get('received')}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- the test

@pytest.fixture
def pki(tmp_path):
    d = tmp_path / "pki"
    d.mkdir()
    return make_pki(str(d))


@pytest.fixture
def page_server():
    s = PageServer()
    yield s
    s.close()


def test_chromium_speaks_mqtt_and_stomp_over_ws_and_wss(make_broker, pki, page_server, tmp_path):
    origin = page_server.origin
    forbidden_port = free_port()
    broker, ws, wss = start_ws_broker(
        make_broker, pki,
        ws={"allowed_origins": [origin]}, wss={"allowed_origins": [origin]},
        more=[ws_listener(forbidden_port, allowed_origins=["https://dash.example"])])
    query = f"ws={ws.port}&wss={wss.port}&forbidden={forbidden_port}&host=127.0.0.1"
    home = nss_home(str(tmp_path / "trusted"), pki["ca"])

    # 1. --dump-dom: the page's own verdict, read from the DOM
    r = run_chromium(str(tmp_path), home, page_server.url("dom", query), mode=["--dump-dom"])
    assert r.returncode == 0, f"chromium exited {r.returncode}:\n{r.stderr[-3000:]}"
    result = dom_result(r.stdout)
    assert page_server.results.get("dom") == result, "the DOM and the POSTed result differ"
    steps = {s["step"]: s for s in result["steps"]}
    assert list(steps) == ALL_STEPS, describe(result)
    for name in ("mqtt-ws", "mqtt-wss"):
        s = steps[name]
        assert s["ok"] and s["protocol"] == "mqtt" and s["connack"] == 0 and s["suback"] == 1, describe(result)
        assert s["received"]["qos"] == 1 and s["received"]["payload"].startswith("hello from"), describe(result)
    for name in ("stomp-ws", "stomp-wss"):
        s = steps[name]
        assert s["ok"] and s["protocol"] == "v12.stomp" and s["version"] == "1.2", describe(result)
        assert s["received"] == f"stomp from the browser {name} ✓", describe(result)
    assert steps["forbidden-origin"]["ok"], describe(result)
    assert result["ok"], describe(result)
    assert "HeadlessChrome" in result["userAgent"] or "Chrome" in result["userAgent"]

    # 2. --screenshot of a second full run, kept as an artifact
    shot = os.path.join(artifacts_dir(), "browser-websocket.png")
    if os.path.exists(shot):
        os.remove(shot)
    r = run_chromium(str(tmp_path), home, page_server.url("shot", query),
                     mode=[f"--screenshot={shot}", "--window-size=800,600", "--hide-scrollbars"])
    assert r.returncode == 0, f"chromium exited {r.returncode}:\n{r.stderr[-3000:]}"
    assert page_server.results.get("shot", {}).get("ok"), describe(page_server.results.get("shot", {}))
    with open(shot, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG"
    print(f"\nbrowser screenshot: {shot}")

    # 3. control: without the CA in its NSS database the same browser refuses the wss endpoint
    bare = nss_home(str(tmp_path / "untrusted"), None)
    r = run_chromium(str(tmp_path), bare, page_server.url("untrusted", query + "&steps=mqtt-wss"), mode=["--dump-dom"])
    control = dom_result(r.stdout)
    [s] = control["steps"]
    assert not s["ok"] and "open" not in s["events"], (
        "wss worked without the test CA in the NSS database, so the trust check proves nothing:\n" + describe(control))
    broker.assert_alive()
