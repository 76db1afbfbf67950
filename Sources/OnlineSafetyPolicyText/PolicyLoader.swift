public import Foundation
public import OnlineSafetyCore
import Yams

/// A problem with a policy file: the file, line and column, the field, and what is wrong.
public struct PolicyFileIssue: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file, as the caller named it.
    public var file: String
    /// The 1-based line (0 when unknown).
    public var line: Int
    /// The 1-based column (0 when unknown).
    public var column: Int
    /// The field path, for example `procedures[4].steps[2].due`.
    public var field: String
    /// What is wrong; for the statutory floor, naming the step and its guidance.
    public var message: String
    /// The floor step it breaks, if any.
    public var floorStep: String?

    /// "file:line:column: field: message".
    public var description: String { "\(file):\(line):\(column): \(field): \(message)" }
}

/// Reads a school's policy from its text (YAML, or JSON, which YAML reads too) into a
/// ``PolicyDocument``, and checks it, naming the file, line and field of every problem.
///
/// ```swift
/// let document = try PolicyLoader.load(contentsOf: URL(fileURLWithPath: "mersham.yaml"))
/// let issues = PolicyLoader.check(text, file: "mersham.yaml", settings: school.settings)
/// ```
public enum PolicyLoader {
    /// Reads a document without checking it against the floor. Throws ``PolicyFileIssue`` for a
    /// file that cannot be read, is not YAML or JSON, or does not have the document's shape.
    public static func load(contentsOf url: URL) throws(PolicyFileIssue) -> PolicyDocument {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PolicyFileIssue(file: url.path, line: 0, column: 0, field: "", message: "the file cannot be read as UTF-8 text")
        }
        return try load(text, file: url.path)
    }

    /// Reads a document from text. Throws ``PolicyFileIssue`` naming the line and field.
    public static func load(_ text: String, file: String) throws(PolicyFileIssue) -> PolicyDocument {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            var line = 0
            var column = 0
            switch error {
            case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
                line = mark.line
                column = mark.column
            default: break
            }
            throw PolicyFileIssue(file: file, line: line, column: column, field: "", message: "not valid YAML or JSON")
        } catch {
            throw PolicyFileIssue(file: file, line: 0, column: 0, field: "", message: "not valid YAML or JSON")
        }
        guard let root else { throw PolicyFileIssue(file: file, line: 0, column: 0, field: "", message: "the file is empty") }
        do {
            _ = root
            return try YAMLDecoder().decode(PolicyDocument.self, from: text)
        } catch let error as DecodingError {
            let (path, message) = describe(error)
            throw issue(file: file, root: root, field: path, message: message)
        } catch {
            throw PolicyFileIssue(file: file, line: 0, column: 0, field: "", message: "the document cannot be read")
        }
    }

    /// Every problem with a policy's text: reading it, its structure, then the statutory floor
    /// under the school's settings. Empty when it may be adopted.
    public static func check(_ text: String, file: String, settings: PolicySettings = .neutral) -> [PolicyFileIssue] {
        let document: PolicyDocument
        do {
            document = try load(text, file: file)
        } catch {
            return [error]
        }
        let root = try? Yams.compose(yaml: text)
        return StatutoryFloor.check(document, settings: settings).map { found in
            var located = issue(file: file, root: root ?? nil, field: found.field, message: found.message)
            located.floorStep = found.floorStep
            return located
        }
    }

    static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce(into: "") { text, key in
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return (parent.isEmpty ? key.stringValue : "\(parent).\(key.stringValue)", "the field '\(key.stringValue)' is required")
        case .typeMismatch(_, let context): return (path(context.codingPath), "the value has the wrong type: \(context.debugDescription)")
        case .valueNotFound(_, let context): return (path(context.codingPath), "a value is required")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.split(separator: ".").last?.hasPrefix("keyStage") == true {
                return (field, "not a key stage: \(KeyStage.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return (field, context.debugDescription)
        @unknown default: return ("", "the document cannot be read")
        }
    }

    /// An issue at the node a field path names (the deepest node of the path that exists).
    static func issue(file: String, root: Node?, field: String, message: String) -> PolicyFileIssue {
        var node = root
        var deepest = root
        var rest = Substring(field)
        while !rest.isEmpty, let current = node {
            if rest.hasPrefix("[") {
                let close = rest.firstIndex(of: "]") ?? rest.endIndex
                let index = Int(rest[rest.index(after: rest.startIndex)..<close]) ?? -1
                rest = close < rest.endIndex ? rest[rest.index(after: close)...] : ""
                node = current.sequence.flatMap { index >= 0 && index < $0.count ? $0[index] : nil }
            } else {
                if rest.hasPrefix(".") { rest = rest.dropFirst() }
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                let key = String(rest[..<end])
                rest = rest[end...]
                node = current.mapping?[Node(key)]
            }
            if let node { deepest = node }
        }
        return PolicyFileIssue(
            file: file, line: deepest?.mark?.line ?? 0, column: deepest?.mark?.column ?? 0, field: field, message: message)
    }
}
