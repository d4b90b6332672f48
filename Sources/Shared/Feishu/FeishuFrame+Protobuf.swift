/// Why bytes are not a `FeishuFrame`. Offsets count from the start of the message being read.
public enum FeishuFrameError: Error, Equatable, CustomStringConvertible {
    case truncated(offset: Int)
    case varintTooLong(offset: Int)
    case lengthOutOfRange(offset: Int, length: UInt64)
    case unexpectedWireType(field: UInt64, wireType: UInt8)
    case unsupportedWireType(UInt8, offset: Int)
    case tooManyHeaders(limit: Int)

    public var description: String {
        switch self {
        case .truncated(let offset): "frame truncated at byte \(offset)"
        case .varintTooLong(let offset): "varint longer than 10 bytes at byte \(offset)"
        case .lengthOutOfRange(let offset, let length): "length \(length) at byte \(offset) exceeds the frame"
        case .unexpectedWireType(let field, let wireType): "field \(field) has wire type \(wireType)"
        case .unsupportedWireType(let wireType, let offset): "wire type \(wireType) at byte \(offset) is not supported"
        case .tooManyHeaders(let limit): "more than \(limit) headers"
        }
    }
}

extension FeishuFrame {
    /// Frames with more headers are refused (the SDKs send fewer than ten).
    public static let maxHeaders = 256

    /// The protobuf encoding, fields in number order; like the Go SDK it always writes fields 1–7 and 9, and 8 only
    /// when there is a payload.
    public func encoded() -> [UInt8] {
        var out = ProtobufWriter()
        out.varint(field: 1, seqID)
        out.varint(field: 2, logID)
        out.varint(field: 3, UInt64(bitPattern: Int64(service)))
        out.varint(field: 4, UInt64(bitPattern: Int64(method)))
        for header in headers {
            var inner = ProtobufWriter()
            inner.bytes(field: 1, Array(header.key.utf8))
            inner.bytes(field: 2, Array(header.value.utf8))
            out.bytes(field: 5, inner.bytes)
        }
        out.bytes(field: 6, Array(payloadEncoding.utf8))
        out.bytes(field: 7, Array(payloadType.utf8))
        if let payload { out.bytes(field: 8, payload) }
        out.bytes(field: 9, Array(logIDNew.utf8))
        return out.bytes
    }

    /// Decodes a frame from untrusted bytes: every length is checked against what is left, unknown fields are
    /// skipped, groups are refused. Missing fields keep their defaults; a repeated scalar field keeps the last value.
    public init(decoding bytes: some Collection<UInt8>) throws(FeishuFrameError) {
        self.init(method: .control)
        var reader = ProtobufReader(Array(bytes))
        while let (field, wireType) = try reader.tag() {
            switch (field, wireType) {
            case (1, 0): seqID = try reader.varint()
            case (2, 0): logID = try reader.varint()
            case (3, 0): service = Int32(truncatingIfNeeded: try reader.varint())
            case (4, 0): method = Int32(truncatingIfNeeded: try reader.varint())
            case (5, 2):
                guard headers.count < Self.maxHeaders else { throw .tooManyHeaders(limit: Self.maxHeaders) }
                headers.append(try Self.header(try reader.lengthDelimited()))
            case (6, 2): payloadEncoding = String(decoding: try reader.lengthDelimited(), as: UTF8.self)
            case (7, 2): payloadType = String(decoding: try reader.lengthDelimited(), as: UTF8.self)
            case (8, 2): payload = Array(try reader.lengthDelimited())
            case (9, 2): logIDNew = String(decoding: try reader.lengthDelimited(), as: UTF8.self)
            case (1...9, _): throw .unexpectedWireType(field: field, wireType: wireType)
            default: try reader.skip(wireType: wireType)
            }
        }
    }

    private static func header(_ bytes: ArraySlice<UInt8>) throws(FeishuFrameError) -> Header {
        var reader = ProtobufReader(Array(bytes))
        var header = Header("", "")
        while let (field, wireType) = try reader.tag() {
            switch (field, wireType) {
            case (1, 2): header.key = String(decoding: try reader.lengthDelimited(), as: UTF8.self)
            case (2, 2): header.value = String(decoding: try reader.lengthDelimited(), as: UTF8.self)
            case (1...2, _): throw .unexpectedWireType(field: field, wireType: wireType)
            default: try reader.skip(wireType: wireType)
            }
        }
        return header
    }
}

/// Appends protobuf fields (varint and length-delimited wire types only).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(field: UInt64, _ value: UInt64) {
        rawVarint(field << 3)
        rawVarint(value)
    }

    mutating func bytes(field: UInt64, _ value: [UInt8]) {
        rawVarint(field << 3 | 2)
        rawVarint(UInt64(value.count))
        bytes += value
    }

    private mutating func rawVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}

/// Reads protobuf fields from untrusted bytes; every read is bounds-checked and advances, so a loop over `tag()`
/// always ends.
struct ProtobufReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next field number and wire type, or nil at the end.
    mutating func tag() throws(FeishuFrameError) -> (UInt64, UInt8)? {
        guard offset < bytes.count else { return nil }
        let key = try varint()
        return (key >> 3, UInt8(key & 7))
    }

    mutating func varint() throws(FeishuFrameError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        for index in 0..<10 {
            guard offset < bytes.count else { throw .truncated(offset: offset) }
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7f) << (7 * UInt64(index))
            if byte & 0x80 == 0 { return result }
        }
        throw .varintTooLong(offset: start)
    }

    mutating func lengthDelimited() throws(FeishuFrameError) -> ArraySlice<UInt8> {
        let start = offset
        let length = try varint()
        guard length <= UInt64(bytes.count - offset) else { throw .lengthOutOfRange(offset: start, length: length) }
        let end = offset + Int(length)
        defer { offset = end }
        return bytes[offset..<end]
    }

    mutating func skip(wireType: UInt8) throws(FeishuFrameError) {
        switch wireType {
        case 0: _ = try varint()
        case 1: try advance(8)
        case 2: _ = try lengthDelimited()
        case 5: try advance(4)
        default: throw .unsupportedWireType(wireType, offset: offset)
        }
    }

    private mutating func advance(_ count: Int) throws(FeishuFrameError) {
        guard bytes.count - offset >= count else { throw .truncated(offset: offset) }
        offset += count
    }
}
