"""The commune's support story in headless Chromium (issue 7): a household's plan, a support recorded from
the policies it is entitled to, a warning for a household the policy is not for (kept with a reason), the
village's disclosure list printed on A4, and the public page that shows it all without login and without
personal data."""
import re
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import BASE, login, logout, stylesheet, wait


def test_plan_support_warning_disclosure_public(server, browser):
    d = browser
    officer = sorted(u for u in server if u.startswith("xa"))[0]
    commune = officer[2:]
    login(d, officer, server[officer])

    # A poor household's plan: helper and commitment saved.
    d.get(BASE + "/households?category=poor")
    d.find_element(By.CSS_SELECTOR, "tbody a").click()
    wait(d).until(lambda drv: re.search(r"/households/\d+$", drv.current_url))
    d.find_element(By.LINK_TEXT, "Xem kế hoạch, ghi hỗ trợ").click()
    wait(d).until(lambda drv: drv.current_url.endswith("/plan"))
    plan_url = d.current_url
    head = re.search(r"Kế hoạch hỗ trợ năm 2026: hộ (\S+), ([^<]+?) <", d.page_source)
    code, head_name = head.group(1), head.group(2).strip()
    for name, value in [("helper_name", "Lê Thị Hằng"), ("helper_org", "Hội Liên hiệp Phụ nữ")]:
        field = d.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    box = d.find_element(By.NAME, "commitment")
    if not box.is_selected():
        box.click()
    d.find_element(By.CSS_SELECTOR, "form.card button.primary").click()
    # Waits on the new page's text: asking Chromium about the old page's node
    # while it navigates can fail with an inspector error instead of "stale".
    wait(d).until(lambda drv: f"Lưu lần cuối bởi {officer}" in drv.page_source)
    assert d.find_element(By.NAME, "helper_name").get_attribute("value") == "Lê Thị Hằng"

    # A support from the policies the household is entitled to today.
    d.find_element(By.CSS_SELECTOR, "h2 + ul li a[href^='/support/new']").click()
    wait(d).until(lambda drv: "/support/new" in drv.current_url)
    d.find_element(By.NAME, "amount").send_keys("2.750.000")
    d.find_element(By.NAME, "quantity").send_keys("1 bộ")
    Select(d.find_element(By.NAME, "source")).select_by_value("local")
    date = d.find_element(By.NAME, "date")
    date.clear()
    date.send_keys("15/10/2026")
    d.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait(d).until(lambda drv: "/plan" in drv.current_url)
    assert "2.750.000" in d.page_source and "Đúng đối tượng" in d.page_source

    # A household no policy is for: warned, and only kept with a reason.
    d.get(BASE + "/households?category=notPoor")
    links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "tbody a")][:15]
    other = None
    for href in links:
        d.get(href + "/plan")
        if "không thuộc đối tượng chính sách nào" in d.page_source:
            other = re.search(r"hộ (\S+),", d.find_element(By.TAG_NAME, "h1").text).group(1)
            break
    assert other, "a household not entitled to any policy"
    d.get(BASE + "/support/new")
    d.find_element(By.NAME, "household").send_keys(other)
    Select(d.find_element(By.NAME, "policy")).select_by_value("quatet")
    d.find_element(By.NAME, "amount").send_keys("500000")
    Select(d.find_element(By.NAME, "source")).select_by_value("fund")
    d.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait(d).until(lambda drv: "Cảnh báo: hộ không đúng đối tượng" in drv.page_source)
    assert "dành cho: hộ nghèo hoặc hộ cận nghèo" in d.page_source
    d.find_element(By.NAME, "reason").send_keys("Hộ có người ốm nặng, UBND xã quyết định hỗ trợ")
    d.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait(d).until(lambda drv: "/plan" in drv.current_url)
    assert "Không đúng đối tượng" in d.page_source and "Hộ có người ốm nặng" in d.page_source

    # The ledger flags it; the disclosure list prints on A4 with the head's name but no ID number.
    d.get(BASE + "/support?ineligible=1")
    assert other in d.page_source
    d.get(BASE + "/support")
    d.find_element(By.LINK_TEXT, "In danh sách công khai").click()
    wait(d).until(lambda drv: "/support/disclosure" in drv.current_url)
    page = d.page_source
    assert "DANH SÁCH CÔNG KHAI CÁC KHOẢN HỖ TRỢ" in page and head_name in page and "2.750.000" in page
    assert "size:A4" in stylesheet(d) and d.find_element(By.CSS_SELECTOR, "[data-print]")
    assert not re.search(r"\b0\d{11}\b", d.find_element(By.CSS_SELECTOR, ".doc").text), "no national ID on the posting list"
    d.set_window_size(390, 844)   # a phone: the list still reads
    assert d.find_element(By.CSS_SELECTOR, ".doc table").is_displayed()
    d.set_window_size(1366, 768)
    logout(d)

    # The public page: no login, the support is there, the names are not.
    d.get(BASE + f"/public/{commune}")
    assert "/login" not in d.current_url
    public = d.page_source
    initials = ".".join(w[0].upper() for w in head_name.split()) + "."
    assert "Công khai hỗ trợ giảm nghèo" in public and "2.750.000" in public and initials in public
    assert head_name not in public and code not in public and other not in public
    assert not re.search(r"\b0\d{11}\b", d.find_element(By.TAG_NAME, "main").text)
    # The raw HTML too (nothing hidden in attributes).
    raw = urllib.request.urlopen(BASE + f"/public/{commune}").read().decode()
    assert head_name not in raw and code not in raw and "/households/" not in raw
