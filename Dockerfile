# Mission Link: one image for all three processes (server, worker, bot).
#   docker build -t mission-link .
#   docker run -p 3000:3000 -e DATABASE_URL=… -e REDIS_URL=… mission-link            # all roles
#   docker run … mission-link node --import tsx server/main.ts worker                # one role
# Like `npm start`, the app runs from TypeScript through tsx (a production dependency).

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
COPY --chown=node:node package.json package-lock.json tsconfig.json ./
COPY --chown=node:node bot ./bot
COPY --chown=node:node db ./db
COPY --chown=node:node infra ./infra
COPY --chown=node:node overlay ./overlay
COPY --chown=node:node server ./server
# The embedded Postgres (used only when DATABASE_URL is unset) keeps its data here.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# /healthz says the process is alive; /readyz (Postgres and Redis) is for load balancers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tsx as a loader in the one node process (not `npm start`), so SIGTERM reaches the app and it
# shuts down gracefully. Append a role (server, worker, bot) to run just that one.
CMD ["node", "--import", "tsx", "server/main.ts"]
