import DevStack
import Foundation
import ServiceKit
import Testing

@Suite struct HTTPDateTests {
    @Test func writesTheRFCExamplesAndTheEdgesOfTheCalendar() {
        let cases: [(Int64, String)] = [
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),  // RFC 9110 section 5.6.7
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
            (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
            (-62_135_596_800, "Mon, 01 Jan 0001 00:00:00 GMT"),
        ]
        for (seconds, text) in cases {
            #expect(HTTPDate.imfFixdate(secondsSince1970: seconds) == text)
            #expect(HTTPDate.secondsSince1970(imfFixdate: text) == seconds)
        }
        #expect(HTTPDate.imfFixdate(secondsSince1970: .max) == "Fri, 31 Dec 9999 23:59:59 GMT")
        #expect(HTTPDate.imfFixdate(secondsSince1970: .min) == "Mon, 01 Jan 0001 00:00:00 GMT")
    }

    @Test func agreesWithFoundationsFormatterAndReadsBackWhatItWrites() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var generator = SplitMix64(seed: 20_261_202)
        for _ in 0..<2_000 {
            // 1900 to 2200: where Foundation's calendar is the proleptic Gregorian one too.
            let seconds = Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator)
            let text = HTTPDate.imfFixdate(secondsSince1970: seconds)
            #expect(text == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))), "\(seconds)")
            #expect(HTTPDate.secondsSince1970(imfFixdate: text) == seconds)
        }
    }

    @Test func refusesEveryOtherForm() {
        for text in [
            "", "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun, 0x Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:4٩:37 GMT",
            "Fri, 30 Feb 2026 00:00:00 GMT", "Mon, 01 Jan 0000 00:00:00 GMT",
        ] {
            #expect(HTTPDate.secondsSince1970(imfFixdate: text) == nil, "\(text)")
        }
    }
}
