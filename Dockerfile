# The NameServer on Bun: remoting on 9876, the HTTP API (console, /metrics, probes) on 8080.
#   docker build -t edge-namesrv .
#   docker run -p 9876:9876 -p 8080:8080 -v namesrv-data:/home/bun/namesrv edge-namesrv
# With no REDIS_URL it keeps its state in the embedded store (kvConfig.json on the volume).
FROM oven/bun:1.4.5-slim

WORKDIR /app
COPY package.json package-lock.json ./
# runtime dependencies only; no install scripts run
RUN bun install --production --ignore-scripts
COPY shared ./shared
COPY edge ./edge
COPY tcp-bridge ./tcp-bridge
COPY tsconfig.json ./

# state (kvConfig.json, accessControl.json, namesrv.properties) on a volume owned by the image's user
RUN mkdir -p /home/bun/namesrv && chown -R bun:bun /home/bun/namesrv
USER bun
ENV NAMESRV_KV_PATH=/home/bun/namesrv/kvConfig.json \
    NAMESRV_CONFIG_configStorePath=/home/bun/namesrv/namesrv.properties
VOLUME ["/home/bun/namesrv"]
EXPOSE 9876 8080

HEALTHCHECK --interval=10s --timeout=3s CMD ["bun", "-e", "const r = await fetch('http://127.0.0.1:8080/health'); process.exit(r.ok ? 0 : 1)"]
CMD ["bun", "tcp-bridge/main.ts"]
