import DevStack
import Foundation
import ServiceKit
import Testing

@Suite struct SortedKeysJSONTests {
    private func text(_ value: Any) throws -> String {
        String(decoding: try SortedKeysJSON.data(value), as: UTF8.self)
    }

    @Test func keysComeInByteOrderAtEveryDepth() throws {
        let object: [String: Any] = [
            "z": 1, "Zed": 2, "a10": 3, "a9": 4, "b_c": 5, "bC": 6, "é": 7, "": 8,
            "nested": ["y": [["b": true, "a": false]], "x": NSNull()],
        ]
        #expect(
            try text(object)
                == #"{"":8,"Zed":2,"a10":3,"a9":4,"bC":6,"b_c":5,"nested":{"x":null,"y":[{"a":false,"b":true}]},"z":1,"é":7}"#
        )
    }

    @Test func escapesWhatJSONRequiresAndNothingElse() throws {
        #expect(
            try text(["s": "a/b \"q\" \\ \n\r\t\u{8}\u{C}\u{1}\u{1F} 飞书 🚨"])
                == #"{"s":"a/b \"q\" \\ \n\r\t\b\f\u0001\u001f 飞书 🚨"}"#)
    }

    @Test func writesNumbersAsFoundationReadsThem() throws {
        #expect(
            try text([1.0, 0.1, -2.5, 1e300, Float(0.1), Int.min, UInt64.max, Int8(-3)])
                == "[1,0.1,-2.5,1e+300,0.1,-9223372036854775808,18446744073709551615,-3]")
        let parsed = try JSONSerialization.jsonObject(
            with: Data(#"{"t":true,"f":false,"one":1,"zero":0,"half":1.5,"big":12345678901234}"#.utf8))
        #expect(try text(parsed) == #"{"big":12345678901234,"f":false,"half":1.5,"one":1,"t":true,"zero":0}"#)
    }

    @Test func namesTheValueWithoutAJSONForm() {
        #expect(throws: SortedKeysJSONError.notJSON(path: "$.card.when", type: "Date")) {
            try SortedKeysJSON.data(["card": ["when": Date(timeIntervalSince1970: 0)]])
        }
        #expect(throws: SortedKeysJSONError.self) { try SortedKeysJSON.data(["n": [1, Double.nan]]) }
        #expect(throws: SortedKeysJSONError.self) { try SortedKeysJSON.data(Double.infinity) }
    }

    /// Random documents: Foundation's parser reads back exactly the value written.
    @Test func foundationReadsBackRandomDocuments() throws {
        var generator = SplitMix64(seed: 20_261_202)
        for round in 0..<500 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let data = try SortedKeysJSON.data(value)
            let parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            let expected = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
            let actual = try JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys, .fragmentsAllowed])
            #expect(actual == expected, "round \(round): \(String(decoding: data, as: UTF8.self))")
        }
    }

    private static func randomValue(depth: Int, using generator: inout SplitMix64) -> Any {
        switch Int.random(in: depth > 3 ? 0...4 : 0...6, using: &generator) {
        case 0: return randomString(using: &generator)
        case 1: return Int.random(in: Int.min...Int.max, using: &generator)
        case 2: return Bool.random(using: &generator)
        case 3: return Double(Int.random(in: -1_000_000...1_000_000, using: &generator)) / 64
        case 4: return NSNull()
        case 5:
            return (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                randomValue(depth: depth + 1, using: &generator)
            }
        default:
            var object: [String: Any] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return object
        }
    }

    private static func randomString(using generator: inout SplitMix64) -> String {
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "_", "/", "\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "é", "飞", "🚨", " ",
        ]
        return String(
            String.UnicodeScalarView(
                (0..<Int.random(in: 0...8, using: &generator)).map { _ in
                    alphabet.randomElement(using: &generator)!
                }))
    }
}
