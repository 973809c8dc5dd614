import Testing
import GiamNgheoCore
import GiamNgheoData

@Suite struct AdminUnitTests {
    let units = BundledData.adminUnits

    @Test func officialCountsBeforeAndAfterTheReform() {
        func count(_ s: UnitStructure, _ l: AdminUnit.Level) -> Int { units.byCode[s]!.values.filter { $0.level == l }.count }
        #expect(count(.y2025, .province) == 34 && count(.y2025, .commune) == 3321 && count(.y2025, .district) == 0)
        #expect(count(.y2024, .province) == 63 && count(.y2024, .district) == 696 && count(.y2024, .commune) == 10035)
        #expect(units.communes(ofProvince: "46").count == 40)
    }

    @Test func lookupByCodeKeepsTheTwoStructuresApart() {
        #expect(units.unit("00004", in: .y2024)?.name == "Phường Trúc Bạch")
        #expect(units.unit("00004", in: .y2025)?.name == "Phường Ba Đình")
        #expect(units.path(of: units.unit("00001", in: .y2024)!) == "Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội")
    }

    @Test func findIsAccentInsensitiveAndShowsTheParent() {
        let dang = units.find("dang", limit: 50).map(\.unit.name)
        #expect(dang.contains("Xã Đặng Xá"))
        let hue = units.find("thuan hoa", in: .y2025)
        #expect(hue.contains { $0.path == "Phường Thuận Hóa, Thành phố Huế" })
        // 'Xã Tân Tiến' occurs 7 times in 2025; the parent narrows it to one.
        #expect(units.find("tan tien", in: .y2025).filter { $0.unit.name == "Xã Tân Tiến" }.count == 7)
        let one = units.find("tân tiến, đắk lắk", in: .y2025)
        #expect(one.count == 1 && one[0].path == "Xã Tân Tiến, Tỉnh Đắk Lắk")
        #expect(units.find("PHUONG BA DINH", in: .y2025).first?.unit.code == "00004")
        #expect(units.find("zzzz").isEmpty)
    }

    @Test func oldToNewConversion() {
        // Phường Ngọc Hà was split between two new wards.
        let split = units.convert(oldCommune: "00016")
        #expect(Set(split.map(\.newCommuneCode)) == ["00004", "00008"] && split.allSatisfy(\.split))
        let whole = units.convert(oldCommune: "00001")
        #expect(whole.map(\.newCommuneCode) == ["00097"] && !whole[0].split)
        #expect(units.convert(oldCommune: "99999").isEmpty)
        #expect(units.predecessors(ofNewCommune: "00004").count >= 2)
        // Corrected typos of the NSO table (admin-units README, caveat 4).
        #expect(units.convert(oldCommune: "00556").first?.oldCommuneName == "Xã Đặng Xá")
    }

    @Test func areaFromCommuneType() {
        var u = units
        #expect(u.area(ofCommune: "00004") == .urban)          // Phường
        let xa = units.byCode[.y2025]!.values.first { $0.type == "Xã" }!
        #expect(u.area(ofCommune: xa.code) == .rural)
        #expect(u.area(ofCommune: "06994") == .rural)          // Đặc khu Vân Đồn, default
        u.specialZoneArea = .urban
        #expect(u.area(ofCommune: "06994") == .urban)
        #expect(u.area(ofCommune: "46") == nil)                // a province has no area
        let thiTran = units.byCode[.y2024]!.values.first { $0.type == "Thị trấn" }!
        #expect(u.area(ofCommune: thiTran.code, in: .y2024) == .urban)
    }

    @Test func ethnicGroupsAndSpellingVariants() {
        let g = BundledData.ethnicGroups
        #expect(g.groups.count == 54 && g.minorityCodes.count == 53 && !g.minorityCodes.contains("01"))
        for (variant, code) in [("Hmông", "08"), ("H'Mông", "08"), ("Mông", "08"), ("Khmer", "05"), ("Khơ-me", "05"),
                                ("Ê-đê", "12"), ("Êđê", "12"), ("ede", "12"), ("Tà Ôi", "31"), ("Pa Kô", "31"), ("kinh", "01"), ("8", "08")] {
            #expect(g.code(for: variant) == code, "\(variant)")
        }
        #expect(g.code(for: "Klingon") == nil)
    }
}
