import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../kernel';

export interface MongoConnectOptions {
  /** How long an operation waits for a reachable server before it fails (default 5 s). */
  serverSelectionTimeoutMS?: number;
  /**
   * Whether mongoose queues commands while disconnected (default true). Intake turns it off:
   * when MongoDB is away a request must fail fast (503) rather than wait in the buffer.
   */
  bufferCommands?: boolean;
}

/** One mongoose connection per service (never the global default, so tests can hold several). */
export async function connectMongo(
  url: string,
  logger: Logger,
  options: MongoConnectOptions = {},
): Promise<Connection> {
  const connection = mongoose.createConnection(url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    bufferCommands: options.bufferCommands ?? true,
    autoIndex: false,
    autoCreate: false,
  });
  connection.on('error', (error) => logger.error({ err: error }, 'mongodb connection error'));
  // A close we asked for (stop()) is not worth a warning; a lost server is.
  let closing = false;
  const close = connection.close.bind(connection);
  connection.close = (force?: boolean) => {
    closing = true;
    return close(force);
  };
  connection.on('disconnected', () =>
    closing ? logger.info('mongodb disconnected') : logger.warn('mongodb disconnected'),
  );
  connection.on('reconnected', () => logger.info('mongodb reconnected'));
  await connection.asPromise();
  return connection;
}

/** MongoDB answers ping. */
export async function pingMongo(connection: Connection): Promise<boolean> {
  if (connection.readyState !== 1 || !connection.db) return false;
  const reply = await connection.db.admin().command({ ping: 1 });
  return reply.ok === 1;
}
