@testable import Poller
import Testing

@Suite("HTML descriptions become readable plain text")
struct HTMLTextTests {
    @Test func mentionsEntitiesAndTagsBecomeText() {
        let html = """
            <p>Latency of <strong>checkout</strong> is &gt; 2&nbsp;s &amp; rising.</p>\
            <p><span class="mention" data-uuid="acnt_1">@ops-oncall</span> <span data-type="#">#payments</span> \
            please look&#33; &#x4e2d;&#25991;</p>
            """
        #expect(HTMLText.plainText(html) == "Latency of checkout is > 2 s & rising.\n@ops-oncall #payments please look! 中文")
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
}
