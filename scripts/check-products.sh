#!/usr/bin/env bash
# Checks a folder of built executables: each product is there, every shared library it needs resolves (ldd), and
# it starts: dev-stack answers --help, each service started with an empty environment exits 2 naming KAFKA_BROKERS.
# The image's runtime stage runs it, so an image with a missing binary or library fails to build.
#
# Usage: scripts/check-products.sh DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: check-products.sh DIR}
source "$here/products.sh"

fail() { echo "check-products: $*" >&2; exit 1; }
for product in "${PRODUCTS[@]}"; do
    binary="$dir/$product"
    [ -x "$binary" ] || fail "'$product' is missing from $dir"
    missing=$(ldd "$binary" | grep 'not found' || true)
    [ -z "$missing" ] || fail "'$product' needs libraries that are not installed: $missing"
    if [ "$product" = dev-stack ]; then
        "$binary" --help >/dev/null || fail "'$product' --help failed"
        continue
    fi
    status=0
    output=$(env -i "$binary" 2>&1) || status=$?
    [ "$status" -eq 2 ] || fail "'$product' with an empty environment exited $status, expected 2: $output"
    grep -q KAFKA_BROKERS <<<"$output" || fail "'$product' did not name KAFKA_BROKERS: $output"
done
echo "checked: ${PRODUCTS[*]} in $dir"
