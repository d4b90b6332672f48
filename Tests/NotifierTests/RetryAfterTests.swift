import Foundation
import Testing

@testable import Notifier

/// `Retry-After` values as servers send them, and bytes no server should send.
struct RetryAfterTests {
    /// 2015-10-21 07:28:00 UTC.
    let now = Date(timeIntervalSince1970: 1_445_412_480)

    @Test(arguments: [
        ("120", Int64?.some(120)), ("0", .some(0)), ("Wed, 21 Oct 2015 07:28:00 GMT", .some(0)),
        ("Wed, 21 Oct 2015 07:29:30 GMT", .some(90)), ("Thu, 22 Oct 2015 07:28:00 GMT", .some(86_400)),
        ("Tue, 20 Oct 2015 07:28:00 GMT", .some(0)), ("Mon, 29 Feb 2016 00:00:00 GMT", .some(11_291_520)),
        ("Wed, 21 Oct 2015 07:28:00 UTC", nil), ("Wed, 21 Foo 2015 07:28:00 GMT", nil),
        ("Wed, 21 Oct 2015 24:00:00 GMT", nil), ("Wed, 32 Oct 2015 07:28:00 GMT", nil),
        ("Wednesday, 21-Oct-15 07:28:00 GMT", nil), ("Wed Oct 21 07:28:00 2015", nil), ("-1", nil), ("1e3", nil),
        ("12345678901", nil), ("", nil),
    ])
    func parsesDeltaSecondsAndIMFFixdate(text: String, expected: Int64?) {
        #expect(RetryAfter.seconds(text, now: now) == expected)
    }

    /// Random and mutated header values never trap and never ask for a negative wait.
    @Test func hostileValuesNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        let seed = Array("Wed, 21 Oct 2015 07:28:00 GMT".utf8)
        for _ in 0..<20_000 {
            var bytes =
                Bool.random(using: &generator)
                ? seed : (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255) }
            if !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 32...126)
            }
            if let seconds = RetryAfter.seconds(String(decoding: bytes, as: UTF8.self), now: now) {
                #expect(seconds >= 0)
            }
        }
    }
}
