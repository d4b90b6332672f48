# One image holding poller, notifier and reply-gateway (and dev-stack for local experiments).
# Build:  docker build -t guance-chatops .
# Run:    docker compose up -d   (see docker-compose.yml)

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
RUN swift package resolve
RUN swift build -c release --static-swift-stdlib \
        --product poller --product notifier --product reply-gateway --product dev-stack \
    && mkdir -p /out \
    && for p in poller notifier reply-gateway dev-stack; do cp "$(swift build -c release --show-bin-path)/$p" /out/; done

# ---- runtime stage: slim Debian with librdkafka and CA certificates ----
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka1 ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin chatops
COPY --from=build /out/ /usr/local/bin/
USER chatops
ENV LOG_FORMAT=json
# Each service sets its own command in docker-compose.yml.
CMD ["poller"]
