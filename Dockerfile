# syntax=docker/dockerfile:1.7
# One recipe for every process of the shop. Build one image per process:
#   docker build --build-arg SERVICE=user -t shop-user .                              (user | product | order | payment)
#   docker build --build-arg SERVICE=edge-api --build-arg SERVICE_DIR=edge-api -t shop-edge-api .
# The image runs the process from source with tsx, exactly like `npm start` does locally, so there is no separate
# compile step whose output could drift from what the tests ran. The same image applies its service's migrations:
#   node ../../packages/platform/bin/shop-prisma.js migrate deploy      (DATABASE_URL set; offline, wasm schema engine)

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Manifests only, so that the dependency layers are rebuilt only when a manifest or the lockfile changes.
# Every workspace must be listed: `npm ci` refuses a lockfile whose workspaces are missing (test/deploy checks this).
FROM base AS manifests
COPY package.json package-lock.json ./
COPY proto/package.json proto/
COPY packages/platform/package.json packages/platform/
COPY services/user/package.json services/user/
COPY services/product/package.json services/product/
COPY services/order/package.json services/order/
COPY services/payment/package.json services/payment/
COPY edge-api/package.json edge-api/
COPY bench/package.json bench/

# Build stage: dev dependencies (buf, ts-proto) generate the gRPC stubs and every service's Prisma client.
FROM manifests AS build
# --ignore-scripts: the root `prepare` (code generation) needs the sources, which are copied only afterwards; and the
# image's npm (v10) does not know npm 11's "allowScripts", so scripts are kept off everywhere for the same result.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY . .
RUN npm run generate \
 && mkdir -p /out \
 && cp -r --parents proto/gen services/*/src/generated /out/

# Runtime stage: production dependencies only, sources, and the generated code from the build stage.
FROM manifests AS runtime
ARG SERVICE
ARG SERVICE_DIR=services/${SERVICE}
ENV NODE_ENV=production
# --ignore-scripts: root `prepare` would run `buf generate`, and buf is a dev dependency (the code is generated above).
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts
COPY tsconfig.base.json tsconfig.json ./
COPY proto/ proto/
COPY packages/platform/ packages/platform/
COPY deploy/*.ts deploy/
COPY ${SERVICE_DIR}/ ${SERVICE_DIR}/
COPY --from=build /out/ ./
# Fails the build early when SERVICE / SERVICE_DIR name no process (instead of an image that cannot start).
RUN test -n "${SERVICE}" && test -f "${SERVICE_DIR}/src/main.ts"
# The image's own non-root user; nothing under /app is writable by it (tsx caches under /tmp).
USER node
WORKDIR /app/${SERVICE_DIR}
ENV OTEL_SERVICE_NAME=${SERVICE}
CMD ["node", "--import", "tsx", "src/main.ts"]
