import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../logger';

/** One mongoose connection per service (never the global default, so tests can hold several). */
export async function connectMongo(url: string, logger: Logger): Promise<Connection> {
  const connection = mongoose.createConnection(url, {
    serverSelectionTimeoutMS: 5000,
    autoIndex: false,
    autoCreate: false,
  });
  connection.on('error', (error) => logger.error({ err: error }, 'mongodb connection error'));
  connection.on('disconnected', () => logger.warn('mongodb disconnected'));
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
