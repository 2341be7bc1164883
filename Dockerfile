# syntax=docker/dockerfile:1
# TaskPilot production image: build with the full toolchain, run on a slim base as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY listeners ./listeners
COPY views ./views
COPY jobs ./jobs
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    TASKPILOT_DATA_DIR=/data
WORKDIR /app
# git clones repositories for agent runs on the host side (see DESIGN: sandbox rules).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown node:node /data
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json manifest.yml ./
COPY --chown=node:node bin ./bin
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini forwards SIGTERM so the graceful shutdown (drain jobs, close MongoDB) runs.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/taskpilot.js"]
CMD ["start", "--role", "all"]
