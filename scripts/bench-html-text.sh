#!/usr/bin/env bash
# HTML-to-text benchmark: Sources/Poller/HTMLText.swift on a 1 MB hostile description (a never-closed `<` after
# `<script>`, 1 MB long) against a benign 1 MB description read to its end, compiled with `swiftc -O` outside the
# package. With OLD=<commit>, the HTMLText.swift of that commit is timed too, on 16/32/64 KB of the hostile input
# (its time grows with the square of the size; 1 MB would take hours). Usage: [OLD=<commit>] scripts/bench-html-text.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
sed 's/enum HTMLText/enum NewHTMLText/' Sources/Poller/HTMLText.swift >"$WORK/new.swift"
if [ -n "${OLD:-}" ]; then
    git show "$OLD:Sources/Poller/HTMLText.swift" | sed 's/enum HTMLText/enum OldHTMLText/' >"$WORK/old.swift"
    OLD_CALL='OldHTMLText.plainText(html)'
else
    OLD_CALL='nil as String?'
fi
cat >"$WORK/main.swift" <<SWIFT
import Foundation
func seconds(_ body: () -> Any?) -> Double {
    let start = Date()
    _ = body()
    return Date().timeIntervalSince(start)
}
let size = 1 << 20
let benign = "<script>" + String(repeating: "if (a > b) { run(); }\n", count: size / 22) + "</script><p>end</p>"
let hostile = "<script>" + String(repeating: "<", count: size)
let base = seconds { NewHTMLText.plainText(benign) }
let hard = seconds { NewHTMLText.plainText(hostile) }
print(String(format: "benign 1 MB: %.4f s; hostile 1 MB: %.4f s; ratio %.2f", base, hard, hard / base))
for kilobytes in [16, 32, 64] where "${OLD:-}" != "" {
    let html = "<script>" + String(repeating: "<", count: kilobytes << 10)
    let old = seconds { $OLD_CALL }
    let new = seconds { NewHTMLText.plainText(html) }
    print(String(format: "hostile %d KB: old %.4f s, new %.5f s", kilobytes, old, new))
}
SWIFT
swiftc -O -module-name bench "$WORK"/*.swift -o "$WORK/bench"
"$WORK/bench"
