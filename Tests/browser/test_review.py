"""A periodic review round from end to end in Chromium: the province opens the rounds; a commune officer
takes two requests, surveys every household (the provisional result updates as the form changes), holds
village meetings where one household fails the 50 % rule and is surveyed again, posts the lists, records
a complaint and its re-check, records the chairman's decision and prints the certificates, submits; the
province follows the progress and approves, and the round is locked."""
import base64
import os
import re
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import BASE, login, logout, wait


def submit(d, form_css, button_css="button[type=submit]"):
    old = d.find_element(By.TAG_NAME, "html")
    d.find_element(By.CSS_SELECTOR, f"{form_css} {button_css}").click()
    wait(d).until(lambda drv: old.id != drv.find_element(By.TAG_NAME, "html").id)


def a4_pages(d):
    """Chromium's own print to PDF on A4: the number of pages the document prints on."""
    pdf = base64.b64decode(d.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69,
                                                                   "preferCSSPageSize": True})["data"])
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def fill(d, name, value, scope=None):
    box = (scope or d).find_element(By.NAME, name)
    box.clear()
    box.send_keys(value)


def test_review_round_from_list_to_approval(server, browser):
    d = browser
    d.implicitly_wait(0)
    officer = sorted(u for u in server if u.startswith("xa"))[1]

    # The province opens the year's periodic rounds for all its communes.
    login(d, "tinh46", server["tinh46"])
    d.get(BASE + "/reviews?year=2026")
    submit(d, "form[action='/reviews/open']")
    assert "kỳ rà soát mới" in d.page_source
    logout(d)

    login(d, officer, server[officer])
    d.get(BASE + "/households")
    codes = [a.text for a in d.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child a")][:2]
    assert len(codes) == 2
    d.get(BASE + "/reviews?year=2026")
    d.find_element(By.CSS_SELECTOR, "td a[href^='/reviews/']").click()
    round_url = d.current_url
    assert "Bước 1: danh sách hộ cần rà soát" in d.page_source
    for code in codes:
        fill(d, "household", code)
        fill(d, "receivedOn", "02/09/2026")
        submit(d, "form[action$='/requests']")
        assert d.current_url == round_url and "Mẫu số 01 nhận 02/09/2026" in d.page_source
    submit(d, "form[action$='/advance']")
    assert "Hộ trong vòng rà soát" in d.page_source

    def survey(first):
        d.find_element(By.LINK_TEXT, "Khảo sát").click()
        wait(d).until(lambda drv: "Phiếu B, phần B1" in drv.page_source)
        if first:
            # Low income and three deprivations: the provisional result follows the form (app.js).
            box = d.find_element(By.ID, "provisional")
            before = box.text
            # fetch() sends the body after the headers: the CSRF check must still find the token (it got 403).
            status = d.execute_async_script(
                "var cb=arguments[0],f=document.getElementById('survey');"
                "fetch(f.getAttribute('data-preview'),{method:'POST',body:new URLSearchParams(new FormData(f)),"
                "credentials:'same-origin'}).then(function(r){cb(r.status)})")
            assert status == 200, status
            fill(d, "incomePerCapita", "500000")
            Select(d.find_element(By.NAME, "waterSource")).select_by_value("surfaceWater")
            Select(d.find_element(By.NAME, "latrine")).select_by_value("none")
            Select(d.find_element(By.NAME, "usesInternet")).select_by_visible_text("không")
            d.find_element(By.TAG_NAME, "h1").click()
            wait(d).until(lambda drv: "Hộ nghèo" in drv.find_element(By.ID, "provisional").text
                          and drv.find_element(By.ID, "provisional").text != before)
        if first:
            # Usable on a phone: the survey does not scroll sideways as a whole.
            d.set_window_size(390, 844)
            assert d.execute_script("return document.documentElement.scrollWidth") <= 400
            d.set_window_size(1366, 768)
        fill(d, "enumerator", "Lò Thị Mai")
        fill(d, "surveyedOn", "20/10/2026")
        submit(d, "#survey", "button[value=finish]")
        assert d.current_url == round_url, d.page_source[:2000]

    first = True
    while d.find_elements(By.LINK_TEXT, "Khảo sát"):
        survey(first)
        first = False
    submit(d, "form[action$='/advance']")
    assert "Bước 3: họp dân thống nhất kết quả" in d.page_source

    failed = False
    for _ in range(30):
        if d.find_elements(By.LINK_TEXT, "Khảo sát"):
            # The household the meeting did not agree on is surveyed again.
            assert "Họp dân chưa thống nhất: khảo sát lại" in d.page_source
            survey(False)
            continue
        if not d.find_elements(By.ID, "meeting"):
            break
        form = d.find_element(By.ID, "meeting")
        fill(d, "place", "Nhà văn hóa", form)
        fill(d, "chair", "Hồ Văn Nam", form)
        fill(d, "secretary", "Lê Thị Hoa", form)
        fill(d, "attendees", "20", form)
        for i, box in enumerate(form.find_elements(By.CSS_SELECTOR, "input[name^='agree.']")):
            box.send_keys("5" if not failed and i == 0 else "15")
        failed = True
        submit(d, "#meeting")
    assert failed and not d.find_elements(By.LINK_TEXT, "Khảo sát")
    minutes = d.find_element(By.PARTIAL_LINK_TEXT, "Biên bản").get_attribute("href")
    submit(d, "form[action$='/advance']")

    # Posting: three working days from Monday 26/10; a complaint must be re-checked before going on.
    fill(d, "from", "26/10/2026")
    submit(d, "form[action$='/posting']")
    assert "28/10/2026" in d.page_source
    poor_list = d.find_element(By.LINK_TEXT, "Danh sách hộ nghèo").get_attribute("href")
    fill(d, "complainant", "Nguyễn Văn Tố")
    fill(d, "household", codes[0])
    fill(d, "content", "Hộ mới mua xe máy")
    fill(d, "receivedOn", "27/10/2026")
    submit(d, "form[action$='/complaints']")
    # Re-check due within 7 working days of receipt: Tuesday 27/10 → Thursday 05/11.
    assert "05/11/2026" in d.page_source
    submit(d, "form[action$='/advance']")
    assert "khiếu nại chưa phúc tra" in d.page_source
    fill(d, "outcome", "Xe máy cũ, hộ vẫn thuộc diện")
    fill(d, "recheckedOn", "27/10/2026")
    submit(d, "form[action$='/resolve']")
    assert "Đã phúc tra" in d.page_source
    # The re-check result is posted again for 3 working days before the decision.
    submit(d, "form[action$='/advance']")
    assert "chưa được niêm yết lại" in d.page_source
    fill(d, "from", "27/10/2026")
    submit(d, "form[action$='/reposting']")
    assert "Niêm yết lại kết quả phúc tra từ" in d.page_source and "29/10/2026" in d.page_source
    submit(d, "form[action$='/advance']")

    fill(d, "number", "15/QĐ-UBND")
    submit(d, "form[action$='/decision']")
    assert "Quyết định số" in d.page_source and "15/QĐ-UBND" in d.page_source
    certificates = d.find_element(By.PARTIAL_LINK_TEXT, "giấy chứng nhận").get_attribute("href")
    submit(d, "form[action$='/status']")
    assert "Đã gửi tỉnh, chờ duyệt" in d.page_source

    # The printed documents: minutes twice, the posted list with IDs masked, one certificate per household.
    shots = tempfile.gettempdir()
    d.get(minutes)
    assert d.page_source.count("BIÊN BẢN HỌP DÂN") == 2
    assert a4_pages(d) == 2  # one copy per A4 page, no app header
    d.save_screenshot(os.path.join(shots, "giamngheo-minutes.png"))
    d.get(poor_list)
    assert "DANH SÁCH HỘ NGHÈO NĂM 2026" in d.page_source and "Kết quả phúc tra khiếu nại" in d.page_source
    d.save_screenshot(os.path.join(shots, "giamngheo-poor-list.png"))
    d.get(certificates)
    assert "GIẤY CHỨNG NHẬN HỘ NGHÈO" in d.page_source
    assert a4_pages(d) == d.page_source.count("GIẤY CHỨNG NHẬN HỘ")  # one certificate per page
    d.save_screenshot(os.path.join(shots, "giamngheo-certificate.png"))
    d.get(round_url)
    logout(d)

    # The province follows every commune and approves; approval locks the round.
    login(d, "tinh46", server["tinh46"])
    d.get(BASE + "/reviews/progress?year=2026")
    assert "<svg" in d.page_source and "Đã gửi tỉnh" in d.page_source
    d.save_screenshot(os.path.join(shots, "giamngheo-progress.png"))
    d.get(round_url)
    submit(d, "form[action$='/status']", "button[value=approved]")
    assert "Tỉnh đã phê duyệt (đã khóa)" in d.page_source
    logout(d)
    login(d, officer, server[officer])
    d.get(round_url)
    assert "đã khóa" in d.page_source
    assert not d.find_elements(By.CSS_SELECTOR, "form[action$='/advance'], form[action$='/status'], form[action$='/requests']")
