/// Every link and form action of the site, named once. A page never spells a path itself, so a moved
/// page is changed here and the compiler finds every use.
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
    static func adminUserReset(_ id: String) -> String { "/admin/users/\(id)/reset" }

    // Registry
    static let households = "/households"
    static let newHousehold = "/households/new"
    static let householdExport = "/households/export"
    static let householdTemplate = "/households/template"
    static func household(_ id: Int) -> String { "/households/\(id)" }
    static func household(_ id: Int, _ action: String) -> String { "/households/\(id)/\(action)" }
    static func member(_ household: Int, _ member: String) -> String { "/households/\(household)/members/\(member)" }
    static let villages = "/villages"
    static func village(_ id: Int, _ action: String) -> String { "/villages/\(id)/\(action)" }
    static let exports = "/exports"
    static func exportJob(_ id: String) -> String { "/exports/\(id)" }

    // Imports
    static let imports = "/imports"
    static let importThresholds = "/imports/thresholds"
    static func importBatch(_ id: String) -> String { "/imports/\(id)" }
    static func importBatch(_ id: String, _ action: String) -> String { "/imports/\(id)/\(action)" }

    // Review
    static let reviews = "/reviews"
    static let reviewsOpen = "/reviews/open"
    static let reviewsRegular = "/reviews/regular"
    static let reviewsProgress = "/reviews/progress"
    static func review(_ id: Int) -> String { "/reviews/\(id)" }
    static func review(_ id: Int, _ action: String) -> String { "/reviews/\(id)/\(action)" }
    static func reviewCase(_ id: Int) -> String { "/reviews/cases/\(id)" }
    static func complaintResolve(_ id: Int) -> String { "/reviews/complaints/\(id)/resolve" }
    static func meetingMinutes(_ id: Int) -> String { "/reviews/meetings/\(id)/minutes" }

    // Reports
    static let reports = "/reports"
    static let reportsGo = "/reports/go"
    static func report(_ id: String) -> String { "/reports/\(id)" }
    static let detailedListGo = "/reports/lists/go"
    static func detailedList(_ kind: String) -> String { "/reports/lists/\(kind)" }
    static let analytics = "/analytics"
    static let whatIf = "/whatif"
    static let whatIfExport = "/whatif/export"
    static let targets = "/targets"
    static let targetsImport = "/targets/import"
    static let targetsXLSX = "/targets/xlsx"

    // Support
    static let support = "/support"
    static let supportNew = "/support/new"
    static let supportImport = "/support/import"
    static func supportBatch(_ id: Int) -> String { "/support/import/\(id)" }
    static let supportMonitoring = "/support/monitoring"
    static let supportCatalogue = "/support/catalogue"
    static let supportHelpers = "/support/helpers"
    static let supportDisclosure = "/support/disclosure"
    static let supportTemplate = "/support/template.csv"
    static let budgets = "/budgets"
    static let models = "/models"
    static func model(_ id: Int) -> String { "/models/\(id)" }
    static let fund = "/fund"

    // Public, without login
    static let publicIndex = "/public"
    static func publicCommune(_ code: String) -> String { "/public/\(code)" }
}
