import Foundation
import GuanceAPI
import Testing

@testable import Poller

@Suite("HTML descriptions become readable plain text")
struct HTMLTextTests {
    @Test func mentionsEntitiesAndTagsBecomeText() {
        let html = """
            <p>Latency of <strong>checkout</strong> is &gt; 2&nbsp;s &amp; rising.</p>\
            <p><span class="mention" data-uuid="acnt_1">@ops-oncall</span> <span data-type="#">#payments</span> \
            please look&#33; &#x4e2d;&#25991;</p>
            """
        #expect(
            HTMLText.plainText(html) == "Latency of checkout is > 2 s & rising.\n@ops-oncall #payments please look! 中文")
    }

    @Test func listsBreaksAndTablesKeepTheirShape() {
        let html = "<ul><li>one</li><li>two<br>lines</li></ul><table><tr><td>a</td><td>b</td></tr></table>"
        #expect(HTMLText.plainText(html) == "- one\n- two\nlines\na b")
    }

    @Test func scriptsAndStylesAreDropped() {
        let html = "<style>p{color:red}</style><p>visible</p><script>alert('x<y')</script>"
        #expect(HTMLText.plainText(html) == "visible")
    }

    @Test func unknownEntitiesAndStrayBracketsStay() {
        #expect(HTMLText.plainText("a &unknown; b < c") == "a &unknown; b < c")
    }

    @Test func longTextIsCutWithAMark() {
        let text = HTMLText.plainText(String(repeating: "word ", count: 10_000), limit: 100)
        #expect(text.hasSuffix(HTMLText.truncationMark))
        #expect(text.count == 100 + HTMLText.truncationMark.count)
    }

    @Test func plainTextPassesThrough() {
        #expect(HTMLText.plainText("already plain") == "already plain")
    }

    /// 1 MB descriptions built to make a naive tag scanner quadratic (a `<` never closed, inside and outside a
    /// script), against a benign 1 MB description read to its end, in the same run. Prints the timings (see BENCHMARKS.md).
    @Test func hostileMegabyteDescriptionsTakeAboutAsLongAsABenignOne() {
        let size = 1 << 20
        // Read to its very end (no visible text before the last tag, so the early stop never triggers).
        let benign =
            "<script>" + String(repeating: "if (a > b) { run(); }\n", count: size / 22) + "</script><p>end</p>"
        let hostile: [(String, String)] = [
            ("unclosed '<' in a script", "<script>" + String(repeating: "<", count: size)),
            ("unclosed '<' as text", String(repeating: "a<", count: size / 2)),
            ("unclosed tag start", "<p>visible</p><" + String(repeating: "x", count: size)),
        ]
        func measure(_ html: String) -> (Duration, String) {
            var text = ""
            let elapsed = ContinuousClock().measure { text = HTMLText.plainText(html) }
            return (elapsed, text)
        }
        let (baseline, benignText) = measure(benign)
        #expect(benignText == "end")
        print("html-to-text 1 MB benign: \(baseline)")
        for (name, html) in hostile {
            let (elapsed, text) = measure(html)
            print("html-to-text 1 MB \(name): \(elapsed) (\(elapsed / baseline)x the benign one)")
            // A quadratic scan of 1 MB is ~10^5 times the linear one; 5x leaves room for a loaded machine.
            #expect(elapsed < baseline * 5, "\(name): \(elapsed) vs \(baseline) for the benign description")
            #expect(!text.isEmpty || name.contains("script"))
        }
    }
}
