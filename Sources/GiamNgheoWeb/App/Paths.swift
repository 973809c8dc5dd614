/// Every link and form action of the site, named once. A page never spells a path itself, so a moved
/// page is changed here and the compiler finds every use. `Path.household(7, "edit")` is `/households/7/edit`.
enum Path {
    static let root = "/"
    static let login = "/login"
    static let logout = "/logout"
    static let health = "/health"
    static let appCSS = "/app.css"
    static let appJS = "/app.js"
    static func language(_ code: String) -> String { "/lang/\(code)" }
    static let dashboard = "/dashboard"
    static let accountPassword = "/account/password"
    static let adminUsers = "/admin/users"
    static func adminUser(_ parts: any CustomStringConvertible...) -> String { join(adminUsers, parts) }

    // Registry
    static let households = "/households"
    static let newHousehold = "/households/new"
    static let householdExport = "/households/export"
    static let householdTemplate = "/households/template"
    static func household(_ parts: any CustomStringConvertible...) -> String { join(households, parts) }
    static let villages = "/villages"
    static func village(_ parts: any CustomStringConvertible...) -> String { join(villages, parts) }
    static let exports = "/exports"
    static func exportJob(_ parts: any CustomStringConvertible...) -> String { join(exports, parts) }

    // Imports
    static let imports = "/imports"
    static let importThresholds = "/imports/thresholds"
    static func importBatch(_ parts: any CustomStringConvertible...) -> String { join(imports, parts) }

    // Review
    static let reviews = "/reviews"
    static let reviewsOpen = "/reviews/open"
    static let reviewsRegular = "/reviews/regular"
    static let reviewsProgress = "/reviews/progress"
    static func review(_ parts: any CustomStringConvertible...) -> String { join(reviews, parts) }
    static func reviewCase(_ parts: any CustomStringConvertible...) -> String { join("/reviews/cases", parts) }
    static func meeting(_ parts: any CustomStringConvertible...) -> String { join("/reviews/meetings", parts) }
    static func complaint(_ parts: any CustomStringConvertible...) -> String { join("/reviews/complaints", parts) }

    // Reports
    static let reports = "/reports"
    static let reportsGo = "/reports/go"
    static func report(_ parts: any CustomStringConvertible...) -> String { join(reports, parts) }
    static let detailedListGo = "/reports/lists/go"
    static func detailedList(_ parts: any CustomStringConvertible...) -> String { join("/reports/lists", parts) }
    static let analytics = "/analytics"
    static let analyticsXLSX = "/analytics/xlsx"
    static let whatIf = "/whatif"
    static let whatIfExport = "/whatif/export"
    static let targets = "/targets"
    static let targetsImport = "/targets/import"
    static let targetsXLSX = "/targets/xlsx"
    static func target(_ parts: any CustomStringConvertible...) -> String { join(targets, parts) }

    // Support
    static let support = "/support"
    static let supportNew = "/support/new"
    static let supportImport = "/support/import"
    static func supportRecord(_ parts: any CustomStringConvertible...) -> String { join(support, parts) }
    static func supportBatch(_ parts: any CustomStringConvertible...) -> String { join(supportImport, parts) }
    static let supportMonitoring = "/support/monitoring"
    static let supportCatalogue = "/support/catalogue"
    static let supportHelpers = "/support/helpers"
    static let supportDisclosure = "/support/disclosure"
    static let supportTemplate = "/support/template.csv"
    static let supportExportCSV = "/support/export.csv"
    static let supportExportXLSX = "/support/export.xlsx"
    static let budgets = "/budgets"
    static let models = "/models"
    static func model(_ parts: any CustomStringConvertible...) -> String { join(models, parts) }
    static let fund = "/fund"

    // Public, without login
    static let publicIndex = "/public"
    static func publicCommune(_ parts: any CustomStringConvertible...) -> String { join(publicIndex, parts) }

    private static func join(_ root: String, _ parts: [any CustomStringConvertible]) -> String {
        parts.reduce(root) { $0 + "/" + $1.description }
    }
}
