import type { Logger } from '@triage/shared';
import mongoose, { type Connection } from 'mongoose';

/**
 * Intake's MongoDB connection. Unlike the other services it never buffers commands: when
 * MongoDB is away a request must fail within `timeoutMs` (→ 503 with Retry-After) instead of
 * waiting in mongoose's buffer, whose own time-out surfaces as a generic 500.
 */
export async function connectIntakeMongo(
  url: string,
  logger: Logger,
  timeoutMs: number,
): Promise<Connection> {
  const connection = mongoose.createConnection(url, {
    serverSelectionTimeoutMS: timeoutMs,
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
  });
  connection.on('error', (error) => logger.error({ err: error }, 'mongodb connection error'));
  connection.on('disconnected', () => logger.warn('mongodb disconnected'));
  connection.on('reconnected', () => logger.info('mongodb reconnected'));
  await connection.asPromise();
  return connection;
}
