import Events
import Foundation
import GuanceAPI
import Testing

/// Numbers in Guance answers are outside input: a float that is not an exact integer is a decode error for that
/// item, never a crash, and the rest of the page still decodes.
@Suite("Guance numbers: out-of-range values are decode errors")
struct GuanceNumericDecodingTests {
    func issue(createAt: String, statusType: String = "10") -> Data {
        Data(
            #"{"uuid":"issue_n","name":"n","createAt":\#(createAt),"updateAt":1700000000,"statusType":\#(statusType)}"#
                .utf8)
    }

    @Test(arguments: ["1e300", "-1e300", "1.5", "9.3e18", "1e19", "\"1e300\"", "\"9223372036854775808\""])
    func aHugeOrFractionalCreateAtIsADecodeError(value: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(GuanceIssue.self, from: issue(createAt: value)) }
    }

    @Test(arguments: ["1e300", "1.5", "-9.3e18"])
    func aHugeStatusTypeIsADecodeError(value: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(GuanceIssue.self, from: issue(createAt: "1700000000", statusType: value))
        }
    }

    @Test func anIntegerWrittenAsAFloatStillDecodes() throws {
        let decoded = try JSONDecoder().decode(GuanceIssue.self, from: issue(createAt: "1.7e9"))
        #expect(decoded.createAt == 1_700_000_000)
    }

    @Test func extremeTimesAreWrittenAsTheNearestBoundNotATrap() {
        #expect(EventCoding.rfc3339(unixSeconds: Int64.max).hasPrefix("9999-12-31"))
        #expect(EventCoding.rfc3339(unixSeconds: Int64.min).hasPrefix("0001-01"))
    }
}
