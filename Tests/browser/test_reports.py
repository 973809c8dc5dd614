"""The province officer's reporting story in headless Chromium (issue 6): the dashboard, an official table
in the 2024 structure, a drill-down to a commune and to its households, the print layout (A4 landscape),
the xlsx in openpyxl with the page's numbers, targets with off-track flags, AF analytics and a what-if."""
import io
import warnings

import openpyxl
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import BASE, login, stylesheet, wait
from test_exports import session


def test_province_reports_story(server, browser):
    d = browser
    login(d, "tinh46", server["tinh46"])
    wait(d).until(lambda drv: "Tổng quan" in drv.title)
    assert "Qua các năm" in d.page_source and "Chỉ tiêu năm 2026" in d.page_source

    # The results table, then the same in the 2024 structure (with districts), through the chooser.
    d.find_element(By.LINK_TEXT, "Báo cáo").click()
    wait(d).until(lambda drv: "/reports/" in drv.current_url)
    assert "chưa xác minh" in d.page_source and "Tổng cộng: Thành phố Huế" in d.page_source
    Select(d.find_element(By.NAME, "structure")).select_by_value("2024")
    d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait(d).until(lambda drv: "structure=2024" in drv.current_url)
    assert "Thị xã Hương Trà" in d.page_source
    total_2024 = d.find_element(By.CSS_SELECTOR, "tr.total td.num").text

    # Back to 2025, down to a commune, then to the households behind its poor count.
    d.get(BASE + "/reports/ket-qua?year=2026&structure=2025&unit=46")
    assert d.find_element(By.CSS_SELECTOR, "tr.total td.num").text == total_2024
    d.find_element(By.CSS_SELECTOR, "tbody tr:not(.total) td a").click()
    wait(d).until(lambda drv: "unit=46" not in drv.current_url)
    links = d.find_elements(By.CSS_SELECTOR, "td.num a")
    assert links, "a commune's figures link to their households"
    figure = links[0].text
    links[0].click()
    wait(d).until(lambda drv: "/households?" in drv.current_url)
    assert f": {figure} hộ" in d.page_source
    assert len(d.find_elements(By.CSS_SELECTOR, "tbody tr")) == int(figure.replace(".", ""))

    # Printing: the report section is an A4 landscape page without the chooser.
    d.get(BASE + "/reports/dien-bien-ngheo?year=2026&structure=2025&unit=46")
    assert "size:A4 landscape" in stylesheet(d) and d.find_element(By.CSS_SELECTOR, "section.landscape")

    # The xlsx has the page's total.
    s = session("tinh46", server["tinh46"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        book = openpyxl.load_workbook(io.BytesIO(s.open(BASE + "/reports/ket-qua/xlsx?year=2026&structure=2025&unit=46").read()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0].startswith("Biểu 1.") and rows[3][:2] == ("STT", "Đơn vị")
    assert f"{rows[4][4]:,}".replace(",", ".") == total_2024

    # Targets: the Huế appendix and this year's flags.
    d.find_element(By.LINK_TEXT, "Chỉ tiêu").click()
    wait(d).until(lambda drv: "/targets" in drv.current_url)
    assert "nguy cơ không đạt" in d.page_source
    d.get(BASE + "/targets?year=2024")
    assert "Huyện A Lưới" in d.page_source and "03/KH-UBND" in d.page_source

    # AF analytics and a what-if under the NĐ351 lines.
    d.find_element(By.LINK_TEXT, "Đa chiều").click()
    wait(d).until(lambda drv: "/analytics" in drv.current_url)
    assert "M0 = H × A" in d.page_source and "phân số chính xác" in d.page_source
    d.find_element(By.LINK_TEXT, "Mô phỏng").click()
    wait(d).until(lambda drv: "/whatif" in drv.current_url)
    assert "Ma trận chuyển" in d.page_source and "2.200.000" in d.page_source


def test_commune_detailed_lists(server, browser):
    """Forms 14/15 from the report page: the commune's list has form 1's poor households, one row per member,
    prints as an A4 landscape page (the print button works under the CSP: no inline handler), and the xlsx
    lists the same households."""
    d = browser
    officer = sorted(u for u in server if u.startswith("xa"))[0]
    commune = officer[2:]
    login(d, officer, server[officer])
    d.get(BASE + f"/reports/ket-qua?year=2026&structure=2025&unit={commune}")
    d.find_element(By.LINK_TEXT, "Biểu 15: hộ nghèo").click()
    wait(d).until(lambda drv: "/reports/lists/ngheo" in drv.current_url)
    assert "DANH SÁCH CHI TIẾT HỘ NGHÈO NĂM 2026" in d.page_source and "chưa xác minh" in d.page_source
    total = d.find_element(By.CSS_SELECTOR, "tr.total td").text
    households = len(d.find_elements(By.CSS_SELECTOR, "tr.household"))
    assert total.startswith(f"Tổng cộng: {households} hộ"), (total, households)
    # The print button is wired by the site's script, not an inline handler the CSP would block.
    assert d.find_elements(By.CSS_SELECTOR, "button[data-print]") and "onclick=" not in d.page_source
    assert d.find_element(By.CSS_SELECTOR, "section.landscape.detailed-list")
    # Near-poor through the chooser.
    Select(d.find_element(By.NAME, "kind")).select_by_value("can-ngheo")
    d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait(d).until(lambda drv: "/reports/lists/can-ngheo" in drv.current_url)
    assert "DANH SÁCH CHI TIẾT HỘ CẬN NGHÈO" in d.page_source
    # The xlsx: as many numbered households as the page's total says.
    s = session(officer, server[officer])
    book = openpyxl.load_workbook(io.BytesIO(s.open(BASE + f"/reports/lists/ngheo/xlsx?year=2026&commune={commune}").read()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0].startswith("Biểu 15.") and rows[2][0] == "TT hộ"
    assert sum(1 for r in rows[3:] if isinstance(r[0], int)) == households
