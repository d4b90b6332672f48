import DevStack
import Events
import Foundation
import Testing
import Timing

@testable import ServiceKit

/// The timestamp arithmetic that replaces `Calendar` and date format styles in the services.
@Suite struct CivilTimeTests {
    @Test func writesTheEdgesOfTheCalendar() {
        let cases: [(Int64, String, Int)] = [
            (0, "1970-01-01T00:00:00Z", 3),
            (-1, "1969-12-31T23:59:59Z", 2),
            (951_782_400, "2000-02-29T00:00:00Z", 1),
            (4_107_542_400, "2100-03-01T00:00:00Z", 0),
            (CivilTime.secondsRange.lowerBound, "0001-01-01T00:00:00Z", 0),
            (CivilTime.secondsRange.upperBound, "9999-12-31T23:59:59Z", 4),
            (.min, "0001-01-01T00:00:00Z", 0),
            (.max, "9999-12-31T23:59:59Z", 4),
        ]
        for (seconds, text, weekday) in cases {
            #expect(EventCoding.rfc3339(unixSeconds: seconds) == text)
            #expect(CivilTime(secondsSince1970: seconds).weekday == weekday, "\(text)")
            #expect(EventCoding.unixSeconds(rfc3339: text) == min(max(seconds, -62_135_596_800), 253_402_300_799))
        }
    }

    @Test func agreesWithFoundationAndReadsBackWhatItWrites() {
        var generator = SplitMix64(seed: 20_261_202)
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds) + 0.999)
            let text = EventCoding.rfc3339(date)
            #expect(text == date.formatted(.iso8601), "\(seconds)")
            #expect(EventCoding.unixSeconds(rfc3339: text) == seconds)
        }
    }

    @Test func refusesTextThatIsNotARealInstantInItsOwnLayout() {
        for text in [
            "", "2026-02-30T00:00:00Z", "2100-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-02T24:00:00Z",
            "2026-12-02 16:09:33Z", "2026-12-02T16:09:33+00:00", "2026-12-02T16:09:33.5Z", "0000-01-01T00:00:00Z",
            "2026-12-0２T16:09:33Z", "+026-12-02T16:09:33Z",
        ] {
            #expect(EventCoding.unixSeconds(rfc3339: text) == nil, "\(text)")
        }
        #expect(EventCoding.unixSeconds(rfc3339: "2000-02-29T12:00:00Z") == 951_825_600)
    }

    @Test func jsonLogTimestampsCarryMilliseconds() {
        #expect(JSONLogHandler.timestamp(Date(timeIntervalSince1970: 1_764_691_773.0421)) == "2025-12-02T16:09:33.042Z")
        #expect(JSONLogHandler.timestamp(Date(timeIntervalSince1970: -0.25)) == "1969-12-31T23:59:59.750Z")
    }
}
