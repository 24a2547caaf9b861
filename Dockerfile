# syntax=docker/dockerfile:1
#
# The Convo image: a worker by default; the same image runs the codec server and the `convo` command.
#
#   docker build -t convo .
#   docker run --rm -e TEMPORAL_ADDRESS=temporal.example:7233 -e ANTHROPIC_API_KEY convo          # a worker
#   docker run --rm -p 8081:8081 convo codec-server --host 0.0.0.0 --port 8081                      # the codec server
#   docker run --rm -e TEMPORAL_ADDRESS=temporal.example:7233 convo list                            # the command
#
# docker-compose.yml builds it for the whole stack (see README, "Deployment").

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: every dependency, TypeScript build and the prebuilt workflow bundle ---------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` following the lock file, not `npm ci`: the lock lacks some platform packages of dev tools (@swc/core-*),
# which `npm ci` refuses. No install scripts run (--ignore-scripts), and none is needed: the `claude` binary comes in
# its platform package (@anthropic-ai/claude-code-linux-x64 or -linux-arm64), which src/paths.ts bundledClaudePath
# finds without the wrapper package's postinstall; the Temporal core bridge ships prebuilt.
RUN npm install --no-save --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, the build, a non-root user ----------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# ca-certificates: HTTPS to the model API and to Temporal Cloud; git: Claude Code uses it in the conversation's cwd;
# tini: PID 1 that forwards SIGTERM to the worker (graceful shutdown) and reaps the CLI's orphaned processes.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates git tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-save --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force \
  && test -x node_modules/@anthropic-ai/claude-code-linux-$(node -p 'process.arch')/claude
COPY --from=build /app/dist ./dist
COPY bin ./bin
# /data/transcripts: the transcript store (mount a volume shared by every worker and by clients that read
# transcripts). /workspace: a place for conversations' working directories. /home/node/work: this container's own
# turn directories (CONVO_WORK_DIR, machine-local: never share it between containers).
RUN mkdir -p /data/transcripts /workspace /home/node/work \
  && chown node:node /data/transcripts /workspace /home/node/work
ENV CONVO_TRANSCRIPT_DIR=/data/transcripts \
  CONVO_WORK_DIR=/home/node/work
USER node
# CONVO_METRICS_ADDRESS=0.0.0.0:9464 serves Prometheus metrics here (off unless set).
EXPOSE 9464
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/convo.js"]
CMD ["worker"]
