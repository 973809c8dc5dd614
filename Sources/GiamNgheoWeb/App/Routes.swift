import Vapor

/// The site: each feature mounts its own routes (with their access) and menu entries.
func routes(_ app: Application) throws {
    try app.mount([
        SiteController(),
        AuthController(), AccountController(),
        HouseholdController(), VillageController(), ExportController(), TemplateController(), ExportJobController(),
        ImportController(),
        ReviewController(),
        DashboardController(), ReportController(), DetailedListController(), AnalyticsController(), WhatIfController(),
        TargetController(),
        SupportController(), SupportMonitorController(), HelperController(),
        PublicController(),
        APIController(limiter: app.storage[APILimiterKey.self] ?? APIRateLimiter(perMinute: 600), reportForms: app.registry.reportLayouts.map(\.id)),
    ])
}
