import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
public import PostgresNIO

/// How to reach the PostgreSQL server: from values, or from a `postgres://` URL.
///
/// ```swift
/// let config = try PostgresConfiguration(url: "postgres://app:secret@db.internal:5432/safety?sslmode=require")
/// let store = try await PostgresStore.connect(config, logger: logger)
/// ```
public struct PostgresConfiguration: Sendable {
    /// Whether to use TLS.
    public enum TLSMode: String, Sendable {
        /// Never use TLS (loopback and tests only).
        case disable
        /// Use TLS when the server offers it.
        case prefer
        /// Require TLS; fail when the server does not offer it.
        case require
    }

    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// User name.
    public var username: String
    /// Password, if any.
    public var password: String?
    /// Database name.
    public var database: String
    /// TLS mode.
    public var tls: TLSMode
    /// Connections the pool may open at most. Beside the pool, the store opens up to
    /// `min(2, maximumConnections / 4)` connections of its own (none below four) on which a
    /// report's largest counts run in its transaction's snapshot, closed by ``PostgresStore/close()``.
    public var maximumConnections: Int
    /// The key that makes rows and audit events altered outside the SDK detectable (see
    /// ``IntegrityKey``); `nil` for none. Never printed.
    public var integrityKey: IntegrityKey?

    /// Creates a configuration from values.
    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String, tls: TLSMode = .prefer,
        maximumConnections: Int = 10
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maximumConnections = maximumConnections
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=disable|prefer|require`.
    ///
    /// Throws `invalidInput` naming the part of the URL that is wrong; the password is never echoed.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else { throw SafetyError.invalid("url", "a PostgreSQL URL starts with postgres://") }
        guard let host = components.host, !host.isEmpty else { throw SafetyError.invalid("url.host", "the URL has no host") }
        guard let user = components.user, !user.isEmpty else { throw SafetyError.invalid("url.user", "the URL has no user name") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty else { throw SafetyError.invalid("url.database", "the URL names no database") }
        var tls = TLSMode.prefer
        if let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
            guard let parsed = TLSMode(rawValue: mode) else {
                throw SafetyError.invalid("url.sslmode", "sslmode is disable, prefer or require")
            }
            tls = parsed
        }
        self.init(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding, database: database, tls: tls)
    }

    /// The pool configuration for a `PostgresClient` the caller owns and runs (see
    /// ``PostgresStore/init(client:configuration:logger:)``).
    public var clientConfiguration: PostgresClient.Configuration {
        let tlsSetting: PostgresClient.Configuration.TLS =
            switch tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsSetting)
        configuration.options.maximumConnections = maximumConnections
        return configuration
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS =
            switch tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        return PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsSetting)
    }
}

extension PostgresConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `postgres://user:***@host:port/database?sslmode=…`: the password is never shown, only
    /// whether there is one.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }

    /// The same as ``description``: the password is never shown.
    public var debugDescription: String { "PostgresConfiguration(\(description), maximumConnections: \(maximumConnections))" }

    /// A mirror without the password, so `dump` and debuggers do not show it either.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "username": username, "password": password == nil ? "none" : "***", "database": database,
                "tls": tls, "maximumConnections": maximumConnections,
            ], displayStyle: .struct)
    }
}
