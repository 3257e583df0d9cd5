# syntax=docker/dockerfile:1
# atlas-restore: build with the dev toolchain, run with production dependencies only.
# Node 24 is the Active LTS line; bookworm-slim keeps glibc (prebuilt native addons such as msgpackr-extract load as is).
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: compile TypeScript into dist/ ------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- deps: production dependencies only, no install scripts (nothing we use needs one to run) -------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime ----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Files stay owned by root and read-only to the app user: the container can run with readOnlyRootFilesystem.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The "node" user of the official image, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1: the app handles SIGTERM, SIGINT and SIGHUP from before it connects to anything (PID 1 gets no
# default action for a signal without a handler), drains within 20 s and spawns no children, so no init is needed.
CMD ["node", "dist/main.js"]
