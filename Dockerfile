# syntax=docker/dockerfile:1
#
# Arbokluis: one static binary (serve, migrate, seed, ...) on a small Alpine
# runtime. Alpine rather than a distroless image because the container
# healthcheck in docker-compose.yml probes GET /readyz with BusyBox wget; the
# image has no other tools added. An orchestrator with HTTP probes (liveness
# /healthz, readiness /readyz) can run the same binary on any static base.
#
# Only go.mod, go.sum, cmd/, internal/, migrations/ and policies/ are copied;
# nothing else of the directory (.git, .local/ with its development key
# material) enters an image.

FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0

# Modules first, so the download is cached while only source files change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY cmd ./cmd
COPY internal ./internal
COPY migrations ./migrations
COPY policies ./policies
# timetzdata embeds the time zone database: "today" is the date in
# Europe/Amsterdam, whatever the runtime image carries.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -buildvcs=false -tags timetzdata -ldflags="-s -w" \
      -o /arbokluis ./cmd/arbokluis


FROM alpine:3.23 AS runtime
# A fixed numeric user with no home directory and no entry in /etc/passwd;
# no file in the image belongs to it. docker-compose.yml also makes the root
# file system read-only: the server writes no files (no temp files either).
COPY --from=build /arbokluis /arbokluis
USER 10001:10001
EXPOSE 8080
# No HEALTHCHECK here: the same image also runs one-shot commands (migrate,
# seed). docker-compose.yml gives the serve container its healthcheck.
ENTRYPOINT ["/arbokluis"]
CMD ["serve"]
