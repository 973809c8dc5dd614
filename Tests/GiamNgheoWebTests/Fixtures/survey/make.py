#!/usr/bin/env python3
"""Writes the fixtures: ten submissions of Phiếu B as ODK Central and KoboToolbox export them (run from this folder).
{Hnn} stands for the round's nn-th household code, {Hnn.1.name} / {Hnn.1.birthDate} / {Hnn.1.nationalID} for its
first member's; the tests fill them in. Household 3 also lists a newborn the registry does not have yet."""
import csv, os

living = ["walls", "frame", "roof", "floorArea", "waterSource", "latrine", "usesInternet", "usesTelephone", "informationDevices", "loudspeaker", "wasteTreatment"]
member_cols = ["id", "name", "sex", "birthDate", "age", "nationalID", "ethnicity", "relation", "workingCapacity", "employment", "healthInsurance",
               "schooling", "qualification", "nutrition", "disabled", "meritorious", "socialAllowance", "seriousIllnessWithoutCare"]
subs = []
for i in range(1, 11):
    h = f"H{i:02d}"
    poor = i <= 5   # income at or under the line: part B2 answered; above it, not asked
    b2 = dict(walls="nonDurable" if i in (1, 2) else "durable", frame="durable", roof="nonDurable" if i == 1 else "durable", floorArea=str(24 + i),
              waterSource="drilledWell" if i != 2 else "surfaceWater", latrine="simplePit" if i in (1, 2, 3) else "septic",
              usesInternet="no" if i in (1, 2) else "yes", usesTelephone="yes", informationDevices="radio basicPhone" if i == 1 else "tv smartphone",
              loudspeaker="yes", wasteTreatment="collected") if poor else {k: "" for k in living}
    members = [dict(id="1", name=f"{{{h}.1.name}}", sex="", birthDate=f"{{{h}.1.birthDate}}", age="", nationalID=f"{{{h}.1.nationalID}}",
                    ethnicity="", relation="head", workingCapacity="yes", employment="selfEmployed" if poor else "", healthInsurance="yes" if i != 2 else "no",
                    schooling="", qualification="", nutrition="", disabled="no" if poor else "", meritorious="no", socialAllowance="no" if poor else "",
                    seriousIllnessWithoutCare="no")]
    if i == 3:
        members.append(dict(id="2", name="Lò Văn Tí", sex="male", birthDate="2026-03-02", age="0", nationalID="", ethnicity="01", relation="child",
                            workingCapacity="no", employment="", healthInsurance="", schooling="", qualification="", nutrition="normal", disabled="no",
                            meritorious="no", socialAllowance="no", seriousIllnessWithoutCare="no"))
    subs.append(dict(h=h, uuid=f"6f1c2a7e-3b4d-4c5e-9f60-{i:012d}", income=str(1_100_000 + 50_000 * i) if poor else str(3_500_000 + 10_000 * i),
                     agriculture="yes" if i % 2 else "no", needs="yes" if poor else "no", b2=b2, members=members, causes="2 1" if poor else "",
                     day=f"2026-10-{10 + i:02d}"))

def write(name, header, rows):
    os.makedirs(os.path.dirname(name), exist_ok=True)
    with open(name, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(header); w.writerows(rows)

# ODK Central: <form id>.csv and <form id>-members.csv, the files of its zip. Groups joined by '-'; KEY / PARENT_KEY.
odk_main = ["SubmissionDate", "start", "end", "household", "household_area", "enumerator", "surveyedOn", "b1-incomePerCapita", "b1-scoreB1",
            "b1-agriculture", "needsB2"] + [f"b2-{k}" for k in living] + ["SET-OF-members", "causes", "meta-instanceID", "KEY", "SubmitterID",
            "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
rows, mrows = [], []
for s in subs:
    key = "uuid:" + s["uuid"]
    rows.append([f"{s['day']}T09:41:12.318Z", f"{s['day']}T08:02:41.112+07:00", f"{s['day']}T08:19:05.774+07:00", f"{{{s['h']}}}", "", "Lò Thị Mai",
                 s["day"], s["income"], "", s["agriculture"], s["needs"]] + [s["b2"][k] for k in living]
                + [key + "/members", s["causes"], key, key, "7", "Lò Thị Mai", "0", "0", "", "", "collect:Xh3kQe9mZ2", "0", "20261206"])
    for n, m in enumerate(s["members"], 1):
        mrows.append([m[c] for c in member_cols] + [key, f"{key}/members[{n}]"])
write("odk/giamngheo_phieu_b.csv", odk_main, rows)
write("odk/giamngheo_phieu_b-members.csv", member_cols + ["PARENT_KEY", "KEY"], mrows)

# KoboToolbox xlsx ("XML values and headers", '/' between groups): the main sheet named after the form title (31
# characters at most, ':' left out), a sheet per repeat, a 0/1 column per choice of a multiple-answer question.
# Written here as one CSV per sheet; the test makes the workbook.
devices = ["tv", "radio", "computer", "smartphone", "basicPhone"]; causes = [str(c) for c in range(1, 9)]
kobo_main = ["start", "end", "household", "household_area", "enumerator", "surveyedOn", "b1/incomePerCapita", "b1/scoreB1", "b1/agriculture", "needsB2"]
for k in living:
    kobo_main.append(f"b2/{k}")
    if k == "informationDevices": kobo_main += [f"b2/informationDevices/{d}" for d in devices]
kobo_main += ["causes"] + [f"causes/{c}" for c in causes] + ["__version__", "meta/instanceID", "_id", "_uuid", "_submission_time",
              "_validation_status", "_notes", "_status", "_submitted_by", "_tags", "_index"]
rows, mrows = [], []
for idx, s in enumerate(subs, 1):
    r = [f"{s['day']}T08:02:41.112+07:00", f"{s['day']}T08:19:05.774+07:00", f"{{{s['h']}}}", "", "Lò Thị Mai", s["day"], s["income"], "",
         s["agriculture"], s["needs"]]
    for k in living:
        r.append(s["b2"][k])
        if k == "informationDevices":
            r += [("1" if d in s["b2"][k].split() else "0") if s["needs"] == "yes" else "" for d in devices]
    r += [s["causes"]] + [("1" if c in s["causes"].split() else "0") if s["needs"] == "yes" else "" for c in causes]
    r += ["vQm7oXzd3eUa2bq9W8fK3S", "uuid:" + s["uuid"], str(401230 + idx), s["uuid"], f"{s['day']}T09:41:12", "", "", "submitted_via_web",
          "rasoatvien_mai", "", str(idx)]
    rows.append(r)
    for m in s["members"]:
        mrows.append([m[c] for c in member_cols] + [str(len(mrows) + 1), "Phiếu B rà soát hộ nghèo, hộ cậ", str(idx), str(401230 + idx), s["uuid"],
                                                    f"{s['day']}T09:41:12", "", "", "submitted_via_web", "rasoatvien_mai", "vQm7oXzd3eUa2bq9W8fK3S", ""])
write("kobo/Phiếu B rà soát hộ nghèo, hộ cậ.csv", kobo_main, rows)
write("kobo/members.csv", [f"members/{c}" for c in member_cols] + ["_index", "_parent_table_name", "_parent_index", "_submission__id",
      "_submission__uuid", "_submission__submission_time", "_submission__validation_status", "_submission__notes", "_submission__status",
      "_submission__submitted_by", "_submission___version__", "_submission__tags"], mrows)
