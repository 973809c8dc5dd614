#!/usr/bin/env python3
"""Issue 21 §1: the phone forms made by `giamngheo forms xlsform` go through pyxform (the converter ODK Central and
KoboToolbox run on upload) with no error and no warning, and the XForm it makes holds what the forms promise.
Usage: python3 scripts/check-xlsform.py path/to/giamngheo"""
import os, subprocess, sys, tempfile
import xml.etree.ElementTree as ET
from pyxform import xls2xform

# Warnings we accept, by an exact substring, each with why. None so far: any warning fails the check.
ACCEPTED = {}

binary = sys.argv[1]
work = tempfile.mkdtemp(prefix="xlsform-")
db = f"sqlite:{work}/registry.sqlite"
H = "{http://www.w3.org/2002/xforms}"
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)

for form, standards in (("A", [None]), ("B", ["vn-nd07-2022", "vn-nd351-2027", "vn-qd59-2016"])):
    for standard in standards:
        out = os.path.join(work, f"phieu-{form.lower()}-{standard or 'procedure'}.xlsx")
        args = [binary, "forms", "xlsform", "--form", form, "--db", db, "--out", out] + (["--standard", standard] if standard else [])
        run = subprocess.run(args, capture_output=True, text=True)
        check(run.returncode == 0, f"{' '.join(args)} exited {run.returncode}: {run.stderr}")
        if run.returncode != 0:
            continue
        warnings = []
        try:
            result = xls2xform.convert(xlsform=out, warnings=warnings)
        except Exception as e:  # pyxform's own error, with the row it names
            failures.append(f"Phiếu {form} {standard or ''}: pyxform refused it: {e}")
            continue
        for w in warnings:
            if not any(k in w for k in ACCEPTED):
                failures.append(f"Phiếu {form} {standard or ''}: pyxform warning: {w}")
        xml = ET.fromstring(result.xform)
        binds = {b.get("nodeset", "").split("/")[-1]: b for b in xml.iter(f"{H}bind")}
        instances = {i.get("id"): i.get("src") for i in xml.iter(f"{H}instance") if i.get("id")}
        check(instances.get("households") == "jr://file-csv/households.csv", f"Phiếu {form}: the household list is not the attached CSV: {instances}")
        check(binds.get("household") is not None and binds["household"].get("required") == "true()", f"Phiếu {form}: the household is not required")
        check(">= today()" not in (binds.get("surveyedOn").get("constraint") or "") and "today()" in (binds.get("surveyedOn").get("constraint") or ""),
              f"Phiếu {form}: the survey date is not held to today")
        langs = {t.get("lang") for t in xml.iter(f"{H}translation")}
        check(langs == {"Tiếng Việt (vi)", "English (en)"}, f"Phiếu {form}: languages {langs}")
        if form == "A":
            check(sum(1 for k in binds if k.startswith("a_")) == 9, f"Phiếu A: {sum(1 for k in binds if k.startswith('a_'))} criteria, not 9")
            check(">= 4" in binds["excluded"].get("calculate", ""), f"Phiếu A: the rule is not 4 of 9: {binds['excluded'].get('calculate')}")
        else:
            check("regex(., '^[0-9]{12}$')" in (binds["nationalID"].get("constraint") or ""), "Phiếu B: the personal ID is not held to 12 digits")
            check("needsB2" in (binds["b2"].get("relevant") or ""), "Phiếu B: part B2 is asked of every household")
            check(any(r.get("nodeset", "").endswith("/members") for r in xml.iter("{http://www.w3.org/1999/xhtml}repeat")) or
                  any(r.get("nodeset", "").endswith("/members") for r in xml.iter(f"{H}repeat")), "Phiếu B: members are not a repeat group")
            check("${" not in ET.tostring(xml, encoding="unicode"), "Phiếu B: a ${…} reference was left unresolved")
        print(f"Phiếu {form} {standard or ''}: pyxform {len(result.xform)} bytes of XForm, {len(warnings)} warnings")

if failures:
    print("\n".join("FAIL " + f for f in failures))
    sys.exit(1)
print("xlsform check: OK")
