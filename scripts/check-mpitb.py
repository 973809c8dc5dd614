#!/usr/bin/env python3
"""Cross-check: GiamNgheo's Alkire–Foster indices (from its report summaries) against the Python package
mpitb (installed from PyPI by .ci/run) on generated households (issue 6 §6).

Generates a province's households, imports them into a fresh SQLite registry, asks `giamngheo analytics
--json` for H, A, M0 and the indicator measures of the province and of every commune, then rebuilds the
deprivation matrix straight from the stored households (not the summaries) and runs mpitb on it with the
NĐ07 shape (6 dimensions × 2 indicators, equal weights, k = 25 %). Every figure must agree to 1e-9."""
import json, os, sqlite3, subprocess, sys, tempfile

import pandas as pd
from mpitb import MPIToolbox

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("GIAMNGHEO_BIN", os.path.join(ROOT, ".build", "debug", "giamngheo"))
N = int(os.environ.get("MPITB_HOUSEHOLDS", "4000"))


def run(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args[:1])} failed: {r.stderr.strip()[:500]}")
    return r.stdout


def main():
    work = tempfile.mkdtemp(prefix="mpitb-check-")
    run("generate", "--province", "46", "--households", str(N), "--seed", "7", "--out", os.path.join(work, "csv"))
    db = os.path.join(work, "giamngheo.sqlite")
    run("import", os.path.join(work, "csv", "households.csv"), "--members", os.path.join(work, "csv", "members.csv"),
        "--db", "sqlite:" + db, "--commit", "--date", "2026-11-01", "--show", "0")
    ours = json.loads(run("analytics", "--db", "sqlite:" + db, "--unit", "46", "--date", "2026-11-01", "--json"))
    inds = ours["indicators"]
    assert len(inds) == 12 and ours["k"] == 3, ours["indicators"]

    con = sqlite3.connect(db)
    rows = con.execute("SELECT commune_code, deprived FROM households WHERE archived_reason IS NULL AND category <> 'incomplete'").fetchall()
    con.close()
    df = pd.DataFrame([{"commune": c, **{i: int(f",{i}," in d) for i in inds}} for c, d in rows])
    col = {i: "d_" + i.lower() for i in inds}
    df = df.rename(columns=col)

    mpi = MPIToolbox()
    dims = [([col[inds[2 * j]], col[inds[2 * j + 1]]], f"dim{j + 1}") for j in range(6)]
    mpi.set(name="nd07", description="NĐ07/2021, 12 indicators", dimensions=dims)
    res = mpi.est(df, name="nd07", klist=[25], weights="equal", measures=["M0", "H", "A"],
                  indmeasures=["hdk", "actb", "pctb"], aux=["hd"], over=["commune"])

    def theirs(loa, subg, measure, indicator=None):
        for r in res:
            if r["loa"] == loa and r.get("subg") == subg and r["measure"] == measure and r.get("indicator") == (col[indicator] if indicator else None):
                return r["b"]
        raise KeyError((loa, subg, measure, indicator))

    problems, checked = [], 0

    def same(what, a, b):
        nonlocal checked
        checked += 1
        if abs(a - b) > 1e-9:
            problems.append(f"{what}: GiamNgheo {a!r} ≠ mpitb {b!r}")

    def compare(label, o, loa, subg):
        if o["households"] != (len(df) if subg is None else int((df["commune"] == subg).sum())):
            problems.append(f"{label}: {o['households']} households vs {len(df)}")
        for m in ("H", "A", "M0"):
            same(f"{label} {m}", o[m], theirs(loa, subg, m))
        for i in inds:
            same(f"{label} hd {i}", o["hd"][i], theirs(loa, subg, "hd", i))
            same(f"{label} hdk {i}", o["hdk"][i], theirs(loa, subg, "hdk", i))
            same(f"{label} actb {i}", o["actb"][i], theirs(loa, subg, "actb", i))
            same(f"{label} pctb {i}", o["pctb"][i], theirs(loa, subg, "pctb", i))

    compare("tỉnh 46", ours["total"], "nat", None)
    for p in ours["parts"]:
        if p["households"] > 0:
            compare(p["name"], p, "commune", p["code"])
    if problems:
        print("\n".join(problems[:40]))
        sys.exit(f"mpitb: {len(problems)} of {checked} figures differ")
    t = ours["total"]
    print(f"mpitb cross-check: {checked} figures agree (province 46, {t['households']} households, {len(ours['parts'])} communes; "
          f"H = {t['H']:.6f}, A = {t['A']:.6f}, M0 = {t['M0']:.6f}, exact {t['exact']['M0']})")


if __name__ == "__main__":
    main()
