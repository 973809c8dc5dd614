import GiamNgheoCore
import GiamNgheoData
import Testing

/// Communes' own headers map to the template's fields; what cannot be mapped is said, naming sheet and column.
@Suite struct ImportColumnsTests {
    let columns = BundledData.importColumns

    @Test func headerVariantsAsCommunesWriteThem() {
        let headers = ["STT", "Mã HGĐ", "HỌ VÀ TÊN chủ hộ", "Thôn / Tổ dân phố", "Thu nhập BQ (đ/người/tháng)", "Mã xã", "", "Ghi chú"]
        let m = columns.map(sheet: "households", headers: headers)
        #expect(m.keys[1] == "code" && m.keys[3] == "village" && m.keys[5] == "commune")
        // A unit in brackets does not change the field; the head's name belongs to the members sheet.
        #expect(m.keys[4] == "incomePerCapita")
        #expect(m.unknown == [0, 2, 7] && m.missing.isEmpty && m.duplicates.isEmpty)
        let (blocking, notes) = m.problems(sheet: "Hộ", headers: headers)
        #expect(blocking.isEmpty && notes.first == "Trang 'Hộ': cột A 'STT' không nhận ra, sẽ bỏ qua.")
        let members = columns.map(sheet: "members", headers: ["Mã hộ", "Họ và tên", "Quan hệ với chủ hộ", "Ngày tháng năm sinh", "Giới tính",
                                                               "Dân tộc", "Số CMND/CCCD", "Thẻ BHYT", "klđ"])
        #expect(members.keys == [0: "householdCode", 1: "name", 2: "relation", 3: "birthDate", 4: "sex", 5: "ethnicity", 6: "nationalID",
                                 7: "healthInsurance", 8: "workingCapacity"])
        // The interchange keys themselves are accepted too.
        #expect(columns.map(sheet: "households", headers: ["code", "commune", "village", "incomePerCapita"]).keys.count == 4)
    }

    @Test func missingAndDoubledColumnsBlockTheImport() {
        let headers = ["Mã hộ", "Thôn", "Mã hộ gia đình"]
        let m = columns.map(sheet: "households", headers: headers)
        #expect(m.duplicates == ["code": [0, 2]] && m.missing.map(\.key) == ["commune"])
        let (blocking, _) = m.problems(sheet: "Hộ gia đình", headers: headers)
        #expect(blocking == ["Trang 'Hộ gia đình': thiếu cột bắt buộc 'Mã xã/phường'.",
                             "Trang 'Hộ gia đình': các cột A, C cùng là 'Mã hộ' (code); chỉ giữ một cột."])
        #expect(ImportColumns.normal("  Họ và tên (*) ") == "ho va ten" && ImportColumns.normal("ĐỊA CHỈ") == "dia chi")
        #expect(ImportColumns.letter(0) == "A" && ImportColumns.letter(25) == "Z" && ImportColumns.letter(26) == "AA" && ImportColumns.letter(701) == "ZZ")
    }

    @Test func everyTemplateColumnIsAKeyTheParserKnows() {
        let known = Set(Interchange.householdColumns + Interchange.memberColumns)
        #expect(columns.columns.allSatisfy { known.contains($0.key) })
        #expect(Set(columns.columns.map(\.sheet)) == ["households", "members"])
        #expect(columns.columns.allSatisfy { !$0.help.isEmpty })
    }
}
