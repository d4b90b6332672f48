#!/usr/bin/env bash
# Checks that Sources/ and Tests/ are formatted as .swift-format says (4 spaces, 120 columns), with the toolchain's
# `swift format lint`. Prints every finding and exits non-zero if there is one.
#
# The configuration enables the formatting rules only (the pretty printer and the rules `swift format` rewrites by
# itself), so `swift format -i -r Sources Tests` always makes this check pass. Rules that only lint (naming,
# documentation, force unwraps...) are off: no formatter run could satisfy them.
#
# Usage: scripts/format-check.sh            (from anywhere; checks this repository)
#        SWIFT=/path/to/swift scripts/format-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"
if ! "$SWIFT" format --version >/dev/null 2>&1; then
    echo "format-check: '$SWIFT format' is not available (it ships with Swift 6 toolchains)" >&2
    exit 2
fi
"$SWIFT" format lint --configuration .swift-format --recursive --parallel --strict Sources Tests
echo "format-check: Sources and Tests are formatted"
