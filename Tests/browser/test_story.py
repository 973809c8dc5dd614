"""The commune official's story in a real headless Chromium (Debian's chromium + chromedriver).

Starts `giamngheo serve` on a fresh SQLite file with the demo, reads the printed passwords, then:
log in, search, open a household, edit a member so it becomes poor, see the explanation and the
audit entry change, and be refused the same household as another commune's officer.
"""
import os
import re
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("GIAMNGHEO_BIN", os.path.join(ROOT, ".build", "debug", "giamngheo"))
PORT = int(os.environ.get("GIAMNGHEO_BROWSER_PORT", "18080"))
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture(scope="module")
def server():
    work = tempfile.mkdtemp(prefix="giamngheo-browser-")
    log = open(os.path.join(work, "serve.log"), "w+")
    proc = subprocess.Popen([BINARY, "serve", "--port", str(PORT), "--demo-households", "300", "--date", "2026-11-01"],
                            cwd=work, stdout=log, stderr=subprocess.STDOUT)
    accounts = {}
    try:
        for _ in range(240):
            time.sleep(0.5)
            try:
                urllib.request.urlopen(BASE + "/health", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, open(log.name).read()
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
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def wait(d):
    return WebDriverWait(d, 15)


def login(d, username, password):
    d.get(BASE + "/login")
    d.find_element(By.NAME, "username").send_keys(username)
    d.find_element(By.NAME, "password").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # A submit returns before the POST and its redirect finish: wait for the page after login.
    wait(d).until(lambda drv: "/login" not in drv.current_url)


def test_commune_official_story(server, browser):
    d = browser
    officers = sorted(u for u in server if u.startswith("xa"))
    mine, other = officers[0], officers[1]
    login(d, mine, server[mine])
    # Officials land on their unit's dashboard: figures by village, with the chart.
    wait(d).until(EC.title_contains("Tổng quan"))
    assert "<svg" in d.page_source

    # Accent-insensitive search.
    d.find_element(By.LINK_TEXT, "Hộ gia đình").click()
    box = d.find_element(By.NAME, "q")
    box.send_keys("nguyen thi")
    box.submit()
    wait(d).until(lambda drv: "q=nguyen" in drv.current_url)
    rows = d.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert rows and all("Nguyễn" in r.text or "Thị" in r.text or "Nguyen" in r.text for r in rows[:1])

    d.get(BASE + "/households?q=dang+van+hai")
    d.find_element(By.CSS_SELECTOR, "tbody a").click()
    url = d.current_url
    assert "Đặng Văn Hải" in d.page_source and "Hộ cận nghèo" in d.page_source

    # Edit: a member loses health insurance, no internet, an unsafe water source → poor.
    d.find_element(By.LINK_TEXT, "Sửa thông tin hộ").click()
    Select(d.find_element(By.NAME, "m.1.healthInsurance")).select_by_visible_text("không")
    Select(d.find_element(By.NAME, "usesInternet")).select_by_visible_text("không")
    Select(d.find_element(By.NAME, "waterSource")).select_by_value("surfaceWater")
    d.find_element(By.NAME, "reason").send_keys("Rà soát định kỳ năm 2026")
    d.find_element(By.CSS_SELECTOR, "button[type=submit].primary").click()
    wait(d).until(EC.url_to_be(url))
    page = d.page_source
    assert "Hộ nghèo" in page and "thiếu hụt 3 chỉ số: NS1, TT1, YT2" in page
    assert "members[1].healthInsurance" in page and "Rà soát định kỳ năm 2026" in page
    d.save_screenshot(os.path.join(tempfile.gettempdir(), "giamngheo-household.png"))

    # Another commune's officer is refused the same household.
    d.find_element(By.CSS_SELECTOR, "header button").click()
    wait(d).until(lambda drv: "/login" in drv.current_url)
    login(d, other, server[other])
    d.get(url)
    assert "Không tìm thấy" in d.page_source


def test_register_a_household_with_errors_in_place(server, browser):
    d = browser
    officer = sorted(u for u in server if u.startswith("xa"))[0]
    login(d, officer, server[officer])
    d.get(BASE + "/households")
    d.find_element(By.PARTIAL_LINK_TEXT, "Thêm hộ mới").click()
    wait(d).until(EC.title_contains("Thêm hộ mới"))
    Select(d.find_element(By.NAME, "village")).select_by_index(1)
    d.find_element(By.NAME, "head.name").send_keys("Trương Thị Bé")
    d.find_element(By.NAME, "head.birthDate").send_keys("02/09/1979")
    d.find_element(By.NAME, "head.nationalID").send_keys("04617900")
    d.find_element(By.NAME, "incomePerCapita").send_keys("1500000")
    d.find_element(By.CSS_SELECTOR, "button[type=submit].primary").click()
    # The message stands next to the field it is about, and what was typed is still there.
    err = wait(d).until(EC.presence_of_element_located((By.ID, "err-head.nationalID")))
    assert "12 chữ số" in err.text
    assert d.find_element(By.NAME, "head.name").get_attribute("value") == "Trương Thị Bé"
    box = d.find_element(By.NAME, "head.nationalID")
    assert box.get_attribute("aria-invalid") == "true"
    box.clear()
    box.send_keys("046179001122")
    d.find_element(By.CSS_SELECTOR, "button[type=submit].primary").click()
    wait(d).until(lambda drv: re.search(r"/households/\d+$", drv.current_url))
    assert "Trương Thị Bé" in d.page_source and "Chưa đủ thông tin để phân loại" in d.page_source
    # English as a second language, and back.
    d.find_element(By.LINK_TEXT, "English").click()
    wait(d).until(lambda drv: "Audit trail" in drv.page_source)
    d.find_element(By.LINK_TEXT, "Tiếng Việt").click()
    wait(d).until(lambda drv: "Nhật ký thay đổi" in drv.page_source)


def test_phone_width_and_print(server, browser):
    d = browser
    d.set_window_size(390, 844)
    login(d, "admin", server["admin"])
    d.get(BASE + "/households")
    # The page must not scroll sideways as a whole on a phone (wide tables scroll inside their box).
    width = d.execute_script("return document.documentElement.scrollWidth")
    assert width <= 400, width
