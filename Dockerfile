# syntax=docker/dockerfile:1
# The webhook relay: dist/relay.js on Node, production dependencies only, as the non-root user "node".
#   docker build -t chatwoot-relay .
#   docker run --env-file .env -p 8080:8080 -v relay-data:/data chatwoot-relay
# compose.yaml runs two of them behind HAProxy on PostgreSQL. Node 20 left maintenance in
# April 2026: the default is 22 (build with --build-arg NODE_VERSION=20 to match the tests' runtime).
ARG NODE_VERSION=22

# 1. Bundle src/relay/relay-main.ts into dist/relay.js with esbuild (a dev dependency).
#    No install scripts: the bundle leaves packages external, so nothing native is built here.
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build:relay

# 2. Production dependencies. better-sqlite3 is native: its prebuilt binary is used when it can be
#    downloaded, otherwise it is compiled with this image's python3, make and g++.
FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. Runtime: the slim image of the same Debian release (same glibc as the native module's build).
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# Listen on every interface inside the container. METRICS_HOST=0.0.0.0 lets Prometheus scrape the
# metrics port on the container network: publish only the webhook port (8080), never 9464.
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    METRICS_HOST=0.0.0.0 \
    RELAY_DATA_DIR=/data
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/relay.js ./dist/relay.js
RUN mkdir -p /data && chown node:node /data
USER node
# The SQLite outbox (when RELAY_DATABASE_URL is unset) lives here: mount a persistent volume.
VOLUME ["/data"]
EXPOSE 8080 9464
# No curl in the slim image: Node's fetch. /healthz answers while the process runs (the load
# balancer checks /readyz, which also needs the outbox).
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || '8080') + '/healthz').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) closes intake and lets in-flight deliveries finish: give it the time
# (compose.yaml: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "dist/relay.js"]
