# Mission Link: one image for all three processes (server, worker, bot).
#   docker build -t mission-link .
#   docker run -p 3000:3000 -e DATABASE_URL=… -e REDIS_URL=… mission-link            # all roles
#   docker run … mission-link node --max-old-space-size=192 dist/server/main.js worker   # one role
# Like `npm run build && npm run serve`: compiled JavaScript, no TypeScript loader at run time.

# ---- build: all dependencies, TypeScript compiled to dist/ with migrations, overlay assets and the dashboard bundle ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bot ./bot
COPY dashboard ./dashboard
COPY db ./db
COPY infra ./infra
COPY overlay ./overlay
COPY server ./server
RUN npm run build

# ---- dependencies: production packages only, resolved from the lockfile ----
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    MISSION_LINK_DATA_DIR=/app/.data
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
# package.json carries "type": "module" for the compiled ES modules.
COPY --chown=node:node package.json package-lock.json ./
COPY --from=build --chown=node:node /app/dist ./dist
# The embedded Postgres (used only when DATABASE_URL is unset) keeps its data here.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# /healthz says the process is alive; /readyz (Postgres and Redis) is for load balancers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself as PID 1's child (not `npm run serve`), so SIGTERM reaches the app and it shuts down
# gracefully. The heap cap keeps a pledge storm's garbage from growing the process (README).
# Append a role (server, worker, bot) to run just that one.
CMD ["node", "--max-old-space-size=192", "dist/server/main.js"]
