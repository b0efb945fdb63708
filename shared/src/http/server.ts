import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** Server time-outs against slow or idle clients (HTTP_*_TIMEOUT_MS in every service's config). */
export interface ServerTimeouts {
  /** Time to receive the request headers; then 408 and the socket is closed. */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included; then 408. */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection is kept. */
  keepAliveTimeoutMs: number;
}

/**
 * Listens on `port` (0 = any free port) and `host` (undefined = every interface) and resolves
 * once the socket is bound. Node checks the header and request time-outs only every
 * `connectionsCheckingInterval` (30 s by default), so it is set from the shortest time-out.
 */
export function listen(
  app: Express,
  port: number,
  host?: string,
  timeouts?: ServerTimeouts,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = timeouts
      ? createServer(
          {
            headersTimeout: timeouts.headersTimeoutMs,
            requestTimeout: timeouts.requestTimeoutMs,
            keepAliveTimeout: timeouts.keepAliveTimeoutMs,
            connectionsCheckingInterval: Math.max(
              50,
              Math.min(1000, Math.floor(Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4)),
            ),
          },
          app,
        )
      : createServer(app);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
    if (host) server.listen(port, host);
    else server.listen(port);
  });
}

/** The listen options of a service's parsed config. */
export function serverOptionsOf(config: {
  HOST?: string | undefined;
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
}): [host: string | undefined, timeouts: ServerTimeouts] {
  return [
    config.HOST,
    {
      headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
  ];
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Stops accepting connections and waits for in-flight requests; idle keep-alives are closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}
