# The executables the image ships, one per product in Package.swift (a test keeps the two lists equal).
# shellcheck disable=SC2034
PRODUCTS=(poller notifier reply-gateway dev-stack)
