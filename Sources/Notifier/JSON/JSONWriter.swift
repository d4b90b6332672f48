/// Writes a JSON document straight into bytes: the caller writes the structure (`raw` fragments, in sorted key
/// order where golden files compare bodies) and the writer escapes the values. The renderings of every single
/// message use it; building `[String: Any]` trees and sorting their keys cost more than the rest of a delivery.
struct JSONWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Structure written as is: braces, brackets, quoted keys, commas (`{"msg_type":"text",`).
    mutating func raw(_ fragment: StaticString) {
        fragment.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A string value, quoted and escaped.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        escaped(text)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A string value made of several parts (`"<kind>: <title>"`) without joining them first.
    mutating func string(_ first: String, _ separator: StaticString, _ second: String) {
        bytes.append(UInt8(ascii: "\""))
        escaped(first)
        raw(separator)
        escaped(second)
        bytes.append(UInt8(ascii: "\""))
    }

    /// The inside of a string literal: `"` `\` and control characters escaped, everything else (UTF-8) as is.
    mutating func escaped(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)
}
