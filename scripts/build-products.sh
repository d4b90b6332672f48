#!/usr/bin/env bash
# Builds every product of the package and copies the executables to OUT, then checks them (check-products.sh).
# The Dockerfile runs it with `release OUT --static-swift-stdlib`; `make test` runs it with `debug` (same script,
# no release build in the test suite).
#
# Usage: scripts/build-products.sh debug|release OUT [extra swift build flags...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
configuration=${1:?usage: build-products.sh debug|release OUT [swift build flags...]}
out=${2:?usage: build-products.sh debug|release OUT [swift build flags...]}
shift 2
source "$here/products.sh"

# One build of the whole package builds every executable product (test targets are not built).
swift build -c "$configuration" "$@"
bin=$(swift build -c "$configuration" --show-bin-path "$@")
mkdir -p "$out"
for product in "${PRODUCTS[@]}"; do
    if [ ! -x "$bin/$product" ]; then
        echo "build-products: '$product' was not built (looked in $bin)" >&2
        exit 1
    fi
    cp "$bin/$product" "$out/$product"
done
"$here/check-products.sh" "$out"
