"""Imports and exports with the programs communes use: a filled template goes through the browser's upload,
check and commit; LibreOffice (headless) opens our xlsx export and writes an xlsx that we import back."""
import csv
import io
import os
import shutil
import subprocess
import tempfile

import openpyxl
from selenium.webdriver.common.by import By

from conftest import BASE, login, wait
from test_exports import session


def officer(server):
    return sorted(u for u in server if u.startswith("xa"))[0]


def filled_template(s, path, rows):
    """The template as downloaded, filled in below its help and example rows, as an officer would; each row
    is a dict by header (without the "(*)" of required columns)."""
    book = openpyxl.load_workbook(io.BytesIO(s.open(BASE + "/households/template").read()))
    households, members = book["Hộ gia đình"], book["Nhân khẩu"]

    def put(sheet, values):
        headers = [c.value.replace(" (*)", "") for c in sheet[1]]
        sheet.append([values.get(h) for h in headers])

    for h, ms in rows:
        put(households, h)
        for m in ms:
            put(members, m)
    book.save(path)


def household(code, village, income):
    return {"Mã hộ": code, "Thôn/tổ dân phố": village, "Thu nhập bình quân (đồng/người/tháng)": income}


def member(code, name, born, sex):
    return {"Mã hộ": code, "Họ và tên": name, "Quan hệ với chủ hộ": "Chủ hộ", "Ngày sinh": born, "Giới tính": sex, "Dân tộc": "Kinh"}


def test_a_filled_template_uploads_checks_and_commits_in_the_browser(server, browser):
    user = officer(server)
    s = session(user, server[user])
    work = tempfile.mkdtemp()
    path = os.path.join(work, "danh-sach-ho.xlsx")
    # The officer's commune is filled in for rows that leave it empty.
    filled_template(s, path, [
        (household("TEST-0001", "Thôn Thử", 1_200_000), [member("TEST-0001", "Phạm Thị Thu", "12/03/1968", "Nữ")]),
        (household("TEST-0002", "Thôn Thử", "sai số"), [member("TEST-0002", "Lý Văn Tám", "1970", "Nam")]),
    ])
    login(browser, user, server[user])
    browser.get(BASE + "/imports")
    browser.find_element(By.NAME, "file").send_keys(path)
    browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()
    wait(browser).until(lambda d: "Lô nhập #" in d.page_source)
    page = browser.page_source
    # The bad income is named by sheet, row and column; nothing can be written yet.
    assert "Hộ gia đình" in page and "sai số" in page and "Còn 1 dòng có lỗi" in page
    assert "dòng ví dụ của tệp mẫu" in page
    assert not browser.find_elements(By.XPATH, "//button[text()='Ghi vào sổ hộ']")

    # Corrected and uploaded again: commit.
    filled_template(s, path, [
        (household("TEST-0001", "Thôn Thử", 1_200_000), [member("TEST-0001", "Phạm Thị Thu", "12/03/1968", "Nữ")]),
        (household("TEST-0002", "Thôn Thử", 900_000), [member("TEST-0002", "Lý Văn Tám", "1970", "Nam")]),
    ])
    browser.get(BASE + "/imports")
    browser.find_element(By.NAME, "file").send_keys(path)
    browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()
    wait(browser).until(lambda d: "Lô nhập #" in d.page_source)
    browser.find_element(By.XPATH, "//button[text()='Ghi vào sổ hộ']").click()
    wait(browser).until(lambda d: "Đã ghi vào sổ hộ: 2 hộ mới" in d.page_source)
    browser.get(BASE + "/households?q=pham thi thu")
    assert "Phạm Thị Thu" in browser.page_source
    # Fits a phone.
    browser.set_window_size(390, 844)
    browser.get(BASE + "/imports")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390 + 1


def libreoffice():
    exe = shutil.which("libreoffice") or shutil.which("soffice")
    assert exe, "LibreOffice is installed by .ci/run (libreoffice-calc-nogui)"
    return exe


def convert(exe, src, to, out, infilter=None):
    env = dict(os.environ, HOME=out)  # a profile of its own, so that parallel runs do not share one
    extra = [f"--infilter={infilter}"] if infilter else []
    subprocess.run([exe, "--headless", *extra, "--convert-to", to, "--outdir", out, src], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)


def test_libreoffice_reads_our_export_and_we_read_libreoffices_xlsx(server):
    exe = libreoffice()
    user = officer(server)
    s = session(user, server[user])
    work = tempfile.mkdtemp()
    xlsx = os.path.join(work, "ho.xlsx")
    with open(xlsx, "wb") as f:
        f.write(s.open(BASE + "/households/export?format=xlsx&what=households").read())
    # Our xlsx → LibreOffice → CSV: the same households, Vietnamese intact, counts as plain numbers.
    convert(exe, xlsx, "csv:Text - txt - csv (StarCalc):44,34,76", work)
    rows = list(csv.reader(open(os.path.join(work, "ho.csv"), encoding="utf-8")))
    ours = list(csv.reader(io.StringIO(s.open(BASE + "/households/export?format=csv&what=households").read().decode("utf-8-sig"))))
    assert rows[0] == ours[0]
    assert [r[:2] for r in rows[1:]] == [r[:2] for r in ours[1:]]
    assert all(r[5].isdigit() for r in rows[1:])

    # A commune's CSV → LibreOffice's own xlsx → our import: read as LibreOffice wrote it.
    src = os.path.join(work, "lo.csv")
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Mã hộ", "Thôn", "Thu nhập bình quân", "Số nhân khẩu"])
        w.writerow(["LO-0001", "Thôn Đông", "1500000", "4"])
        w.writerow(["LO-0002", "Thôn Đông", "2100000", "3"])
    convert(exe, src, "xlsx", work, infilter="CSV:44,34,76")  # comma, quote, UTF-8 (LibreOffice assumes Latin-1)
    book = openpyxl.load_workbook(os.path.join(work, "lo.xlsx"))
    book.active.title = "Hộ gia đình"   # LibreOffice names the sheet after the file
    book.save(os.path.join(work, "lo2.xlsx"))
    convert(exe, os.path.join(work, "lo2.xlsx"), "xlsx:Calc MS Excel 2007 XML", os.path.join(work, "again"))
    final = os.path.join(work, "again", "lo2.xlsx")
    boundary = "----gnlo"
    page = s.open(BASE + "/imports").read().decode()
    token = page.split('name="_csrf" value="')[1].split('"')[0]
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lo2.xlsx\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + open(final, "rb").read() + f"\r\n--{boundary}--\r\n".encode()
    import urllib.request
    req = urllib.request.Request(BASE + "/imports", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    result = s.open(req).read().decode()
    assert "Lô nhập #" in result, result[:500]
    # 2 rows, 2 new, no errors: LibreOffice's shared strings and numbers read as written.
    assert "<td>2</td><td>2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td>" in result


def test_a_file_over_the_upload_limit_is_refused_with_a_message_and_nothing_kept(server):
    """200 MB through the browser's form: refused with what to do instead (split it, or `giamngheo import`),
    and no batch is recorded."""
    import http.client
    import re
    import urllib.parse
    user = officer(server)
    s = session(user, server[user])
    page = s.open(BASE + "/imports").read().decode()
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    batches = len(re.findall(r'href="/imports/\d+"', page))
    cookie = "; ".join(f"{c.name}={c.value}" for h in s.handlers if hasattr(h, "cookiejar") for c in h.cookiejar)
    boundary = "giamngheo-too-large"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ca-tinh.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = 200 << 20
    url = urllib.parse.urlparse(BASE)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    conn.putrequest("POST", "/imports")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + size + len(tail)))
    conn.putheader("Cookie", cookie)
    conn.endheaders()
    chunk = (b"Ma ho,Ma xa,Thon\r\n" * 4096)[: 1 << 16]
    try:
        conn.send(head)
        sent = 0
        while sent < size:
            piece = chunk[: min(len(chunk), size - sent)]
            conn.send(piece)
            sent += len(piece)
        conn.send(tail)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before the whole body arrived
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    assert response.status == 413, (response.status, body[:300])
    assert "lớn hơn 100 MB" in body and "giamngheo import" in body
    after = s.open(BASE + "/imports").read().decode()
    assert len(re.findall(r'href="/imports/\d+"', after)) == batches
