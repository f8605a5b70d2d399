# syntax=docker/dockerfile:1
# Switchyard image: the gateway (default command) and the model node, one image for both.
#   CPU: docker build -t switchyard .
#   GPU: docker build -t switchyard:gpu --build-arg VARIANT=gpu .    (CUDA 12 + cuDNN 9 base, CUDA execution provider)
# TypeScript runs natively on Node 24 (type stripping), so there is no compile step: the image holds the sources.
ARG VARIANT=cpu
ARG NODE_IMAGE=node:24-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04

FROM ${NODE_IMAGE} AS node

# Production dependencies. `npm ci` honours .npmrc, whose `onnxruntime-node-install=skip` keeps onnxruntime-node
# from fetching CUDA binaries (the CPU provider ships in the npm package). The GPU variant fetches the CUDA
# execution provider explicitly: ONNXRUNTIME_NODE_INSTALL takes precedence over the .npmrc setting.
FROM node AS deps
ARG VARIANT
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund \
 && if [ "$VARIANT" = "gpu" ]; then ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node; fi

# The sources and the generated demo models (small, deterministic, built in about a second).
FROM deps AS app
COPY config ./config
COPY gateway ./gateway
COPY backends ./backends
COPY scripts ./scripts
RUN npm run models

# Runtime bases: Node's slim image for CPU; NVIDIA's CUDA runtime with cuDNN for GPU, plus the Node binary.
FROM node AS runtime-cpu
FROM ${CUDA_IMAGE} AS runtime-gpu
COPY --from=node /usr/local/bin/node /usr/local/bin/node

FROM runtime-${VARIANT}
# HEALTHCHECK_URL: the health check's target; model-node containers set http://127.0.0.1:8001/health.
ENV NODE_ENV=production \
    HEALTHCHECK_URL=http://127.0.0.1:8080/healthz
RUN groupadd --system --gid 10001 switchyard \
 && useradd --system --uid 10001 --gid switchyard --home-dir /app --shell /usr/sbin/nologin switchyard
WORKDIR /app
COPY --from=app --chown=root:root /app /app
# The gateway reads /etc/switchyard/config.yaml (mount a file or a ConfigMap directory there).
USER 10001:10001
EXPOSE 8080 9090 8001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTHCHECK_URL, { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node as PID 1 is fine: the gateway and the node handle SIGTERM (graceful drain) and SIGHUP (gateway: reload).
ENTRYPOINT ["node"]
# A 32 MiB young generation (V8's default tops out at 16): the gateway allocates a little for every request, and
# fewer, larger scavenges gave ~3% more requests per CPU second in bench:compare. The node's commands set their own.
CMD ["--max-semi-space-size=32", "gateway/main.ts", "--config", "/etc/switchyard/config.yaml"]
