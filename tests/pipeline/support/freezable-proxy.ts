import net from 'node:net';

export interface FreezableProxy {
  /** A MongoDB URL for `database` through the proxy. */
  url: (database: string) => string;
  /**
   * From now on nothing passes in either direction: whoever talks through the proxy waits
   * forever on its next reply, as a process stuck mid-job does.
   */
  freeze: () => void;
  /**
   * Arms a trap: the first message from the process that `match` recognises is held back (it never
   * reaches MongoDB) and the proxy freezes. Resolves once that happened: the process is stopped
   * right before that write, with every earlier write done.
   */
  freezeBefore: (match: (message: Buffer) => boolean) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * A TCP proxy in front of MongoDB, so that one process (and only that one) can be made to hang
 * in the middle of a job — the moment a test kills it.
 */
export async function startFreezableProxy(target: URL): Promise<FreezableProxy> {
  const sockets = new Set<net.Socket>();
  let frozen = false;
  let trap: { match: (message: Buffer) => boolean; sprung: () => void } | undefined;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => sockets.delete(socket));
    }
    const forward = (from: net.Socket, to: net.Socket, outbound: boolean) =>
      from.on('data', (chunk: Buffer) => {
        if (!frozen && outbound && trap?.match(chunk)) {
          frozen = true;
          trap.sprung();
        }
        if (!frozen) to.write(chunk);
      });
    forward(client, upstream, true);
    forward(upstream, client, false);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: (database) => `mongodb://127.0.0.1:${port}/${database}`,
    freeze: () => {
      frozen = true;
    },
    freezeBefore: (match) =>
      new Promise<void>((resolve) => {
        trap = { match, sprung: resolve };
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
