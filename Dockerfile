# syntax=docker/dockerfile:1
# One image for every service; docker-compose.yml picks the entry point per service
# (`node services/<name>/src/main.ts`, the same command the tests and `npm start` run).
ARG NODE_VERSION=24.21.0

# --- base: the project's Node and pnpm versions (scripts/bootstrap.sh pins the same ones)
FROM node:${NODE_VERSION}-bookworm-slim AS base
ENV PNPM_HOME=/pnpm
ENV PATH=$PNPM_HOME:$PATH
RUN npm install -g --no-audit --no-fund pnpm@12.4.2
WORKDIR /app

# --- deps: production dependencies from the lockfile alone, so this layer survives source edits
FROM base AS deps
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --prod

# --- build: link the workspace offline (Node runs the .ts sources directly: nothing to compile)
FROM deps AS build
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --offline --frozen-lockfile --prod

# --- runtime: no pnpm, no store, no dev dependencies; an unprivileged user
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
# SERVICE_NODE_OPTIONS (packages/config/src/process-priority.ts): a capped young generation, see README: Memory.
ENV NODE_OPTIONS=--max-semi-space-size=4
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 5000
# Overridden per service in docker-compose.yml.
CMD ["node", "services/ingress/src/main.ts"]
