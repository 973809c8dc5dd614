"""Shared by the browser tests: one `giamngheo serve` on a fresh SQLite file with the demo (its printed
passwords read back), and a headless Chromium (Debian's chromium + chromedriver) per test."""
import json
import os
import re
import secrets
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("GIAMNGHEO_BIN", os.path.join(ROOT, ".build", "debug", "giamngheo"))


def _free_port():
    # The kernel picks a port no one listens on; the server then binds it.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = int(os.environ.get("GIAMNGHEO_BROWSER_PORT") or _free_port())
BASE = f"http://127.0.0.1:{PORT}"
# The server echoes this on /health, so the tests know they talk to their own process, not whatever listens.
INSTANCE = secrets.token_hex(8)


@pytest.fixture(scope="session")
def server():
    work = tempfile.mkdtemp(prefix="giamngheo-browser-")
    log = open(os.path.join(work, "serve.log"), "w+")
    proc = subprocess.Popen([BINARY, "serve", "--port", str(PORT), "--demo-households", "300", "--date", "2026-11-01"],
                            cwd=work, stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, GIAMNGHEO_INSTANCE_ID=INSTANCE))
    accounts = {}
    try:
        answered = False
        for _ in range(240):
            time.sleep(0.5)
            assert proc.poll() is None, open(log.name).read()
            try:
                health = json.loads(urllib.request.urlopen(BASE + "/health", timeout=2).read())
            except OSError:
                continue
            assert health.get("instance") == INSTANCE, f"port {PORT} answers, but not our server: {health}"
            answered = True
            break
        assert answered, "the server did not answer on /health in 120 s:\n" + open(log.name).read()
        log.flush()
        for line in open(log.name, encoding="utf-8"):
            m = re.match(r"^\s+(\S+)\s+(\S{12})\s{3}", line)
            if m:
                accounts[m.group(1)] = m.group(2)
        assert "admin" in accounts, open(log.name).read()
        yield accounts
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture()
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768", "--lang=vi"]:
        options.add_argument(a)
    # The console is kept so that a page breaking the Content-Security-Policy (an inline style or script
    # the CSP refuses) fails the story that opened it.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    yield driver
    try:
        refused = [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
    finally:
        driver.quit()
    assert not refused, "CSP violations: %s" % refused


def wait(d):
    return WebDriverWait(d, 15)


def login(d, username, password):
    d.get(BASE + "/login")
    d.find_element(By.NAME, "username").send_keys(username)
    d.find_element(By.NAME, "password").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # A submit returns before the POST and its redirect finish: wait for the page after login.
    wait(d).until(lambda drv: "/login" not in drv.current_url)



def logout(d):
    d.find_element(By.CSS_SELECTOR, "header button").click()
    wait(d).until(lambda drv: "/login" in drv.current_url)


def stylesheet(d):
    """The text of the stylesheets the page links (the CSS is a file, never inline), as the server sent it."""
    import urllib.request
    hrefs = [e.get_attribute("href") for e in d.find_elements("css selector", "link[rel=stylesheet]")]
    assert hrefs, "the page links no stylesheet"
    return "\n".join(urllib.request.urlopen(h).read().decode("utf-8") for h in hrefs)
