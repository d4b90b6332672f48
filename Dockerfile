# One image holding poller, notifier and reply-gateway (and dev-stack for local experiments).
# Build:  docker build -t guance-chatops .
# Run:    docker compose up -d   (see docker-compose.yml and docs/operations.md)

# ---- build stage: official Swift image, release binaries ----
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# SwiftPM checks every target's folder when it loads the manifest, test targets included: copy them all.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY scripts/build-products.sh scripts/check-products.sh scripts/products.sh ./scripts/
RUN swift package resolve
# Builds every product, fails on the first one missing, and checks that each starts (make test runs the same script).
RUN scripts/build-products.sh release /out --static-swift-stdlib

# ---- runtime stage: slim Debian with librdkafka and CA certificates ----
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka1 ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin chatops
COPY --from=build /out/ /usr/local/bin/
COPY scripts/check-products.sh scripts/products.sh /usr/local/lib/guance-chatops/
# Fails the image build if a binary is missing, a shared library does not resolve here, or a binary does not start.
RUN /usr/local/lib/guance-chatops/check-products.sh /usr/local/bin
USER chatops
ENV LOG_FORMAT=json
# Each service sets its own command in docker-compose.yml.
CMD ["poller"]
