# syntax=docker/dockerfile:1
# The gateway's image: API instances (WORKER=off), the worker tier
# (WORKER=only) and the carrier simulator all run it (compose.yaml,
# deploy/k8s/). Never built on the machines this project is developed on (no
# Docker engine there); test/deploy/files.test.ts checks what it can, and the
# runtime stage's steps were run by hand (README, "Production layout").
ARG NODE_VERSION=20.19

# --- builder: every dependency, the Prisma client and the web client ---------
FROM node:${NODE_VERSION}-bookworm-slim AS builder
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: postinstall (db:generate) needs the sources, copied
# next, and Prisma's own scripts would download engines we do not use.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run db:generate && npm run build

# --- runtime: production dependencies only, as the unprivileged node user ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
# tsx (a dependency) runs the TypeScript sources; nothing is compiled ahead.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY domain ./domain
COPY lib ./lib
COPY prisma ./prisma
COPY schema ./schema
COPY server ./server
COPY services ./services
COPY --from=builder /app/prisma/generated ./prisma/generated
COPY --from=builder /app/web/dist ./web/dist
# PGlite's directories, for a single container without DATABASE_URL and for
# the carrier simulator: writable by the node user, mounted as volumes.
RUN mkdir -p data data-carrier && chown node:node data data-carrier
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The same command npm run cluster runs for each instance (package.json's
# `serve`): node itself is PID 1 and gets SIGTERM, no npm or shell between.
CMD ["node", "--import", "tsx", "server/index.ts"]
