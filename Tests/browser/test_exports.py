"""The exported spreadsheets as other programs read them: openpyxl opens the xlsx (both sheets, numbers as
numbers, Vietnamese intact, the same households as the CSV), and Python's csv reads the CSV after its BOM."""
import csv
import datetime
import http.cookiejar
import io
import re
import urllib.parse
import urllib.request
import warnings

import openpyxl

from conftest import BASE


def session(username, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(BASE + "/login").read().decode()
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": username, "password": password, "_csrf": token}).encode()
    opener.open(BASE + "/login", data=body)
    return opener


def test_xlsx_opens_in_openpyxl_and_matches_the_csv(server):
    officer = sorted(u for u in server if u.startswith("xa"))[0]
    s = session(officer, server[officer])
    raw = s.open(BASE + "/households/export?format=csv&what=households").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["Mã hộ", "Chủ hộ", "Số CCCD chủ hộ"] and len(rows) > 1

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Workbook contains no default style" would fail here
        book = openpyxl.load_workbook(io.BytesIO(s.open(BASE + "/households/export?format=xlsx").read()))
    assert book.sheetnames == ["Hộ gia đình", "Nhân khẩu"]
    sheet = book["Hộ gia đình"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0][:3]) == ["Mã hộ", "Chủ hộ", "Số CCCD chủ hộ"]
    assert [r[0] for r in values[1:]] == [r[0] for r in rows[1:]]
    assert [r[1] for r in values[1:]] == [r[1] for r in rows[1:]]
    assert all(isinstance(r[5], int) for r in values[1:])  # member counts are numbers
    members = list(book["Nhân khẩu"].iter_rows(values_only=True))
    assert len(members) > len(values)
    assert any(isinstance(r[3], datetime.datetime) for r in members[1:])  # birth dates are Excel dates for this role


def test_template_has_help_examples_and_drop_downs_in_openpyxl(server):
    officer = sorted(u for u in server if u.startswith("xa"))[0]
    s = session(officer, server[officer])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        book = openpyxl.load_workbook(io.BytesIO(s.open(BASE + "/households/template").read()))
    assert book.sheetnames == ["Hộ gia đình", "Nhân khẩu", "Danh mục"]
    assert book["Danh mục"].sheet_state == "hidden"
    members = book["Nhân khẩu"]
    assert members["B1"].value == "Họ và tên (*)" and members["B2"].value.startswith("Hướng dẫn: ")
    assert members["B3"].value == "Nguyễn Thị Hoa"
    lists = {str(v.sqref): v.formula1 for v in members.data_validations.dataValidation}
    assert any(f.startswith("'Danh mục'!$") for f in lists.values()) and len(lists) >= 5
