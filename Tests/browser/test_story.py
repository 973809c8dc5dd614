"""The commune official's story in a real headless Chromium (Debian's chromium + chromedriver).

On the demo server (conftest.py):
log in, search, open a household, edit a member so it becomes poor, see the explanation and the
audit entry change, and be refused the same household as another commune's officer.
"""
import os
import re
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import BASE, login, wait


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
