# syntax=docker/dockerfile:1.7
# One recipe for every process of the shop. Build one image per process:
#   docker build --build-arg SERVICE=user -t shop-user .                              (user | product | order | payment)
#   docker build --build-arg SERVICE=edge-api --build-arg SERVICE_DIR=edge-api -t shop-edge-api .
# The image runs the process's bundle, built by the same `npm run build` that `npm start` and the bench run first
# (scripts/lib/build.ts: plain JS, npm dependencies left to node_modules), with the V8 flags of
# deploy/node-options.env, so no TypeScript loader runs in production. The same image applies its service's migrations:
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

# Build stage: dev dependencies (buf, ts-proto, esbuild) generate the gRPC stubs and every service's Prisma client,
# then bundle every process. /out holds what the runtime needs and nothing else: per process its dist/ (and for a
# service its Prisma schema, migrations and config, for `migrate deploy`); shared, proto's descriptor set (gRPC
# reflection reads it), the Prisma CLI wrapper and the compiled healthcheck and debug-proxy scripts.
FROM manifests AS build
# --ignore-scripts: the root `prepare` (code generation) needs the sources, which are copied only afterwards; and the
# image's npm (v10) does not know npm 11's "allowScripts", so scripts are kept off everywhere for the same result
# (esbuild's own install script only checks its binary, which npm installed as an optional dependency).
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY . .
RUN npm run generate \
 && npm run build \
 && mkdir -p /out/process /out/common \
 && cp -r --parents services/*/dist services/*/prisma services/*/prisma.config.ts edge-api/dist /out/process/ \
 && cp -r --parents proto/gen/descriptor-set.binpb packages/platform/bin deploy/dist /out/common/

# Runtime stage: production dependencies only (npm packages stay outside the bundles), and the build's output.
FROM manifests AS runtime
ARG SERVICE
ARG SERVICE_DIR=services/${SERVICE}
ENV NODE_ENV=production
# --ignore-scripts: root `prepare` would run `buf generate`, and buf is a dev dependency (the code is generated above).
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts
# The V8 flags every process starts with (CMD below): one file for the images, `npm start` and the bench.
COPY deploy/node-options.env deploy/
COPY --from=build /out/common/ ./
# This process's own folder only (its bundle; for a service also its Prisma schema, migrations and config).
COPY --from=build /out/process/${SERVICE_DIR}/ ${SERVICE_DIR}/
# Fails the build early when SERVICE / SERVICE_DIR name no process (instead of an image that cannot start).
RUN test -n "${SERVICE}" && test -f "${SERVICE_DIR}/dist/main.js"
# The image's own non-root user; nothing under /app is writable by it.
USER node
WORKDIR /app/${SERVICE_DIR}
ENV OTEL_SERVICE_NAME=${SERVICE}
# An inherited NODE_OPTIONS (docker run -e, a k8s env entry) replaces the file's flags as a whole.
CMD ["node", "--env-file=/app/deploy/node-options.env", "dist/main.js"]
