#!/usr/bin/env python3
"""Issue 21 §3: the JSON API against its own OpenAPI document, with schemathesis (PyPI), on a running server with the
demo data: no 5xx, every response matches the schema (status, content type, body, headers), unsupported methods are
405; then what a fuzzer cannot know: another commune's household is 404, another commune's list is refused (403), a revoked
token is 401. `positive_data_acceptance` is left out: the document states types, not the registry's rules (an income
without an area is schema-valid and rightly refused with 422).
Usage: python3 scripts/check-api.py path/to/giamngheo"""
import http.cookiejar, json, os, re, socket, subprocess, sys, tempfile, time, urllib.parse, urllib.request, urllib.error

binary = sys.argv[1]
work = tempfile.mkdtemp(prefix="api-")
db = f"sqlite:{work}/demo.sqlite"
with socket.socket() as s:   # a free port, then its own process must be the one answering
    s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
base = f"http://127.0.0.1:{port}"
server = subprocess.Popen([binary, "serve", "--db", db, "--port", str(port), "--demo-households", "300", "--api-rate", "1000000"],
                          stdout=open(f"{work}/serve.log", "w"), stderr=subprocess.STDOUT)
failures = []

def call(path, token=None, method="GET", body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")

def token(username):
    out = subprocess.run([binary, "tokens", "create", "--username", username, "--name", "check-api", "--db", db], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]

try:
    for _ in range(240):
        if server.poll() is not None:
            sys.exit("the server stopped: " + open(f"{work}/serve.log").read()[-2000:])
        try:
            if call("/api/v1/openapi.json")[0] == 200: break
        except OSError:
            time.sleep(0.5)
    else:
        sys.exit("the server did not answer")
    assert server.poll() is None, "another process answered on the port"
    mine, other = token("xa19753"), token("xa19774")

    # A review round of the commune, opened and moved to its survey by the web pages as officials do, so the
    # fuzzer reaches a real round and a real case (ids pinned in its configuration) rather than only 404s.
    def browser(username, role, unit):
        """A new account's web session: created by the CLI (its password the last line), signed in through the login form."""
        password = subprocess.run([binary, "users", "create", "--username", username, "--role", role, "--units", unit, "--db", db],
                                  capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        post(web, "/login", "/login", {"username": username, "password": password})
        return web
    def post(web, page_path, action, fields, pattern=r'name="_csrf" value="([^"]*)"'):
        """Submits a form of a page as a browser does: the page's CSRF token (and the version it shows, if captured)."""
        found = re.search(pattern, web.open(base + page_path, timeout=30).read().decode(), re.S)
        data = {"_csrf": found.group(1), **fields, **({"version": found.group(2)} if found.lastindex and found.lastindex > 1 else {})}
        return web.open(base + action, data=urllib.parse.urlencode(data).encode(), timeout=120)
    post(browser("kiemtra.tinh", "provinceOfficer", "46"), "/reviews", "/reviews/open", {"province": "46", "year": "2026"})
    status, rounds = call("/api/v1/reviews?year=2026", mine)
    round_id = rounds["items"][0]["id"]
    post(browser("kiemtra.xa", "communeOfficer", "19753"), f"/reviews/{round_id}", f"/reviews/{round_id}/advance", {},
         r'action="/reviews/%d/advance".*?name="_csrf" value="([^"]*)".*?name="version" value="(\d+)"' % round_id)
    status, cases = call(f"/api/v1/reviews/{round_id}/cases", mine)
    if status != 200 or not cases["items"]:
        failures.append(f"the opened round has no cases: {status} {cases}")
        case_id = 0
    else:
        case_id = cases["items"][0]["id"]
    household_id = call("/api/v1/households?limit=1", mine)[1]["items"][0]["id"]
    pinned = {"GET /reviews/{id}/cases": round_id, "PUT /reviews/cases/{id}/draft": case_id, "GET /households/{id}": household_id,
              "PUT /households/{id}": household_id, "POST /households/{id}/archive": household_id}
    config = f"{work}/schemathesis.toml"
    with open(config, "w") as f:
        f.write("".join(f'[[operations]]\ninclude-name = "{name}"\nparameters = {{ id = {value} }}\n' for name, value in pinned.items()))

    run = subprocess.run(["schemathesis", "--config-file", config, "run", f"{base}/api/v1/openapi.json", "-H", f"Authorization: Bearer {mine}",
                          "--checks", "all", "--exclude-checks", "positive_data_acceptance", "--max-examples", "60",
                          "--seed", "20261206"], capture_output=True, text=True, cwd=work)   # its cache stays out of the checkout
    print(run.stdout[-3000:])
    if run.returncode != 0:
        failures.append("schemathesis found failures (above)")

    status, theirs = call("/api/v1/households?limit=5", other)
    if status != 200 or not theirs["items"]:
        failures.append(f"the other commune's own list: {status} {theirs}")
    else:
        for h in theirs["items"]:
            status, body = call(f"/api/v1/households/{h['id']}", mine)
            if status != 404 or body["error"]["code"] != "access.notFound":
                failures.append(f"another commune's household {h['id']} answered {status}: {body}")
    status, body = call("/api/v1/households?commune=19774", mine)
    if not (status == 403 and body["error"]["code"] == "access.forbidden"):
        failures.append(f"another commune's list answered {status}: {body}")

    listed = subprocess.run([binary, "tokens", "list", "--username", "xa19753", "--db", db], capture_output=True, text=True, check=True).stdout
    subprocess.run([binary, "tokens", "revoke", "--username", "xa19753", "--id", listed.split()[0], "--db", db], check=True, capture_output=True)
    status, body = call("/api/v1/me", mine)
    if status != 401:
        failures.append(f"a revoked token answered {status}")
finally:
    server.terminate(); server.wait(timeout=30)

if failures:
    print("\n".join("FAIL " + f for f in failures)); sys.exit(1)
print("api check: OK")

# Exchange files (issue 21 §4): the zip the command writes, read back with pandas: every file's SHA-256, columns and
# row count as its manifest says.
import hashlib, zipfile
import pandas as pd
out = f"{work}/exchange.zip"
subprocess.run([binary, "exchange", "--year", "2025", "--unit", "19753", "--user", "xa19753", "--db", db, "--out", out], check=True, capture_output=True)
z = zipfile.ZipFile(out)
manifest = json.loads(z.read("manifest.json"))
problems = []
for f in manifest["files"]:
    data = z.read(f["name"])
    if hashlib.sha256(data).hexdigest() != f["sha256"]: problems.append(f"{f['name']}: SHA-256 differs")
    df = pd.read_csv(z.open(f["name"]), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    if list(df.columns) != f["columns"] or len(df) != f["rows"]: problems.append(f"{f['name']}: {list(df.columns)[:3]}…, {len(df)} rows vs {f['rows']}")
households = pd.read_csv(z.open("households.csv"), encoding="utf-8-sig", dtype=str, keep_default_na=False)
if households.empty or set(households["commune_code"]) != {"19753"}: problems.append("households.csv is not the commune's")
if not manifest["reports"] or any(not r["columns"] for r in manifest["reports"]): problems.append("report forms missing")

# The same year as one workbook, opened with openpyxl: a sheet per file with the same header and rows as the CSV
# (its name and rows listed on the first sheet), counts as numbers.
import openpyxl
book_path = f"{work}/exchange.xlsx"
subprocess.run([binary, "exchange", "--year", "2025", "--unit", "19753", "--user", "xa19753", "--db", db, "--out", book_path], check=True, capture_output=True)
book = openpyxl.load_workbook(book_path, read_only=True)
if book.sheetnames[0] != "Giới thiệu": problems.append(f"the workbook's first sheet is {book.sheetnames[0]}")
listed = {r[0]: (r[1], r[2]) for r in book["Giới thiệu"].iter_rows(min_row=2, values_only=True) if r and r[0] and r[0].endswith(".csv")}
for f in manifest["files"]:
    if f["name"] not in listed: problems.append(f"xlsx: {f['name']} not listed"); continue
    sheets, rows = listed[f["name"]]
    parts = [list(book[name].iter_rows(values_only=True)) for name in sheets.split(", ")]   # a long table goes on in "name (2)", …
    if any(list(p[0]) != f["columns"] for p in parts) or sum(len(p) - 1 for p in parts) != f["rows"] or rows != f["rows"]:
        problems.append(f"xlsx: sheets {sheets}: {sum(len(p) - 1 for p in parts)} rows, listed {rows}, CSV {f['rows']}")
sheet_rows = list(book["households"].iter_rows(min_row=2, values_only=True))
count_at = manifest["files"][0]["columns"].index("member_count")
if not sheet_rows or not all(isinstance(r[count_at], int) for r in sheet_rows): problems.append("xlsx: member_count is not written as numbers")
if problems:
    print("\n".join("FAIL exchange: " + p for p in problems)); sys.exit(1)
print(f"exchange check: OK ({len(manifest['files'])} files, {len(households)} households; the workbook's {len(book.sheetnames)} sheets agree)")
