import Foundation

/// Writes the plain values the services build — `String`, `Bool`, integers, finite floating-point numbers, arrays,
/// string-keyed dictionaries, `NSNull`, and the `NSNumber`s of parsed JSON — as JSON with every object's keys in
/// byte (UTF-8) order and `/` unescaped. It replaces `JSONSerialization` with `.sortedKeys`, whose locale-aware key
/// comparison loads ICU's collator (about 3 MiB resident, BENCHMARKS.md) the first time a process sorts.
public enum SortedKeysJSON {
    /// The JSON text of `value`; throws naming the first value that has no JSON form and where it is.
    public static func data(_ value: Any) throws(SortedKeysJSONError) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        try write(value, at: "$", into: &bytes)
        return Data(bytes)
    }

    private static func write(_ value: Any, at path: String, into out: inout [UInt8]) throws(SortedKeysJSONError) {
        if type(of: value) == Bool.self, let flag = value as? Bool {
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        } else if let text = value as? String {
            string(text, into: &out)
        } else if let integer = value as? any BinaryInteger {
            out.append(contentsOf: "\(integer)".utf8)
        } else if let number = value as? Double, type(of: value) == Double.self {
            try double(number, text: "\(number)", at: path, into: &out)
        } else if let number = value as? Float, type(of: value) == Float.self {
            try double(Double(number), text: "\(number)", at: path, into: &out)
        } else if let number = value as? NSNumber {
            try parsedNumber(number, at: path, into: &out)
        } else if let object = value as? [String: Any] {
            out.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                string(key, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(object[key]!, at: "\(path).\(key)", into: &out)
            }
            out.append(UInt8(ascii: "}"))
        } else if let array = value as? [Any] {
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try write(element, at: "\(path)[\(index)]", into: &out)
            }
            out.append(UInt8(ascii: "]"))
        } else if value is NSNull {
            out.append(contentsOf: "null".utf8)
        } else {
            throw .notJSON(path: path, type: "\(type(of: value))")
        }
    }

    /// A number JSON parsing produced: Foundation's boolean class, a floating-point or an integer encoding.
    private static func parsedNumber(_ number: NSNumber, at path: String, into out: inout [UInt8])
        throws(SortedKeysJSONError)
    {
        if String(describing: type(of: number)) == "__NSCFBoolean" {
            out.append(contentsOf: (number.boolValue ? "true" : "false").utf8)
            return
        }
        switch String(cString: number.objCType) {
        case "d", "f": try double(number.doubleValue, text: "\(number.doubleValue)", at: path, into: &out)
        case "Q": out.append(contentsOf: "\(number.uint64Value)".utf8)
        default: out.append(contentsOf: "\(number.int64Value)".utf8)
        }
    }

    /// Whole numbers up to 2^53 without a fraction (`1`, not `1.0`), others as Swift prints them (`0.1`, `1e+300`).
    private static func double(_ number: Double, text: String, at path: String, into out: inout [UInt8])
        throws(SortedKeysJSONError)
    {
        guard number.isFinite else { throw .notJSON(path: path, type: "non-finite number \(number)") }
        if number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
            out.append(contentsOf: "\(Int64(number))".utf8)
        } else {
            out.append(contentsOf: text.utf8)
        }
    }

    /// A quoted string: `"` `\` and control characters escaped, everything else (UTF-8) as is.
    private static func string(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case ..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)
}

/// A value `SortedKeysJSON` cannot write: where it is (`$.card.elements[2]`) and what it is.
public enum SortedKeysJSONError: Error, Equatable, CustomStringConvertible {
    case notJSON(path: String, type: String)

    public var description: String {
        switch self {
        case let .notJSON(path, type): "\(path) is a \(type), which has no JSON form"
        }
    }
}
