import GiamNgheoStorage
import Vapor

/// One entry of the page frame's menu, declared by the feature that owns the page.
struct NavEntry: Sendable {
    var order: Int
    var path: String
    var vi: String
    var en: String
    var access: Access = .signedIn
}

/// A feature: its routes (with their access) and its menu entries.
protocol Feature: RouteCollection {
    var navigation: [NavEntry] { get }
}

extension Feature {
    var navigation: [NavEntry] { [] }
}

struct NavigationKey: StorageKey { typealias Value = [NavEntry] }

extension Application {
    /// The menu, in order, as the mounted features declared it.
    var navigation: [NavEntry] {
        get { storage[NavigationKey.self] ?? [] }
        set { storage[NavigationKey.self] = newValue }
    }

    /// Mounts a feature: its routes and its menu entries.
    func mount(_ features: [any Feature]) throws {
        for f in features {
            try register(collection: f)
            navigation += f.navigation
        }
        navigation.sort { $0.order < $1.order }
    }
}
