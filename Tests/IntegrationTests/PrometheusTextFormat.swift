import Foundation

/// A strict reader of the Prometheus text exposition format (version 0.0.4), enough to prove `/metrics` parses:
/// `# HELP`/`# TYPE` comments, and samples `name{label="value",...} number`.
enum PrometheusTextFormat {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct ParseError: Error, CustomStringConvertible {
        let line: Int
        let text: String
        let reason: String
        var description: String { "line \(line) \(reason): \(text)" }
    }

    static func parse(_ text: String) throws -> [Sample] {
        var samples: [Sample] = []
        let types = ["counter", "gauge", "histogram", "summary", "untyped"]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(line)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                if parts.count >= 2, parts[1] == "TYPE" {
                    guard parts.count == 4, isName(parts[2]), types.contains(parts[3]) else {
                        throw ParseError(line: index + 1, text: line, reason: "bad TYPE comment")
                    }
                }
                continue
            }
            samples.append(try sample(line, number: index + 1))
        }
        return samples
    }

    private static func sample(_ line: String, number: Int) throws -> Sample {
        func fail(_ reason: String) -> ParseError { ParseError(line: number, text: line, reason: reason) }
        var rest = Substring(line)
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard isName(name) else { throw fail("bad metric name") }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { throw fail("label without =") }
                let key = String(rest[..<equals])
                guard isName(key) else { throw fail("bad label name") }
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { throw fail("unquoted label value") }
                rest = rest.dropFirst()
                var value = ""
                while let character = rest.first, character != "\"" {
                    if character == "\\" {
                        rest = rest.dropFirst()
                        guard let escaped = rest.first else { throw fail("dangling escape") }
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                    rest = rest.dropFirst()
                }
                guard rest.first == "\"" else { throw fail("unterminated label value") }
                rest = rest.dropFirst()
                labels[key] = value
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ")
        guard (1...2).contains(fields.count), let value = Double(fields[0]) ?? special(fields[0]) else {
            throw fail("bad sample value")
        }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func special(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: nil
        }
    }

    private static func isName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" || first == ":" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }
}
