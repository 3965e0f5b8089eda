# Proton's container image. Not built on the project's machines (no container engine runs there):
# test/container-entrypoint.test.ts runs the same entrypoint command line as a plain process.
#
#   docker build -t proton-serve:0.1.0 .
#   docker run --rm -p 8080:8080 -p 9000:9000 -v "$PWD/models:/mnt/models:ro" proton-serve:0.1.0 \
#     --model-dir=/mnt/models --model-name=squeezenet --http-port=8080 --grpc-port=9000

# Stage 1: compile the addon and the TypeScript. The install step runs `cmake-js compile` and
# `tsc`; package.json's allowScripts keeps onnxruntime-node's CUDA download from running.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends cmake g++ make \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json CMakeLists.txt tsconfig.json ./
COPY native native
COPY proto proto
COPY ts ts
RUN npm ci \
  && npm prune --omit=dev \
  && rm -rf node_modules/com.github.asus4.onnxruntime node_modules/cmake-js node_modules/node-addon-api node_modules/node-api-headers

# Stage 2: the runtime, without compilers, headers or dev dependencies.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# Bounds glibc's per-thread malloc arenas (each model has its own threads).
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/build/Release/proton_native.node build/Release/
COPY --from=build /app/dist/ts dist/ts
COPY --from=build /app/proto proto
RUN chmod 755 dist/ts/server/cli.js && ln -s /app/dist/ts/server/cli.js /usr/local/bin/proton-serve
# The node image's unprivileged user (uid 1000); a numeric USER lets Kubernetes check runAsNonRoot.
USER 1000:1000
# REST (original Proton API and Open Inference Protocol) and gRPC.
EXPOSE 8080 9000
# Node runs as PID 1 and handles SIGTERM itself: readiness turns false, it drains, then exits 0.
ENTRYPOINT ["proton-serve"]
CMD ["--model-dir=/mnt/models", "--model-name=model", "--http-port=8080", "--grpc-port=9000"]
