import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { startEmbeddedInfra, type EmbeddedInfra } from '../../tools/embedded-infra';

/**
 * `npm start` keeps MongoDB's and Redis's data in a folder (TRIAGE_DATA_DIR): a restart of the
 * embedded servers on the same folder finds what the last run stored.
 */
describe('local data that lasts (the embedded stack with a data directory)', () => {
  let dataDir: string;
  const running: EmbeddedInfra[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'triage-data-'));
  });

  afterAll(async () => {
    for (const infra of running) await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<EmbeddedInfra> {
    // Embedded servers only: no MONGO_URL / REDIS_URL from the test run's environment.
    const infra = await startEmbeddedInfra({}, () => undefined, { dataDir });
    running.push(infra);
    return infra;
  }

  it('when the servers are stopped and started again on the same folder, then the complaint and the queued job are still there', async () => {
    const first = await start();
    const mongo = await MongoClient.connect(`${first.mongoUrl}/triage`);
    await mongo
      .db()
      .collection('complaints')
      .insertOne({ _id: 'c-1' as never, subject: '账户被冻结' });
    await mongo.close();
    const redis = new Redis(first.redisUrl);
    await redis.set('bull:{triage}:marker', 'kept');
    await redis.quit();
    await first.stop();
    running.pop();

    const second = await start();
    const mongoAgain = await MongoClient.connect(`${second.mongoUrl}/triage`);
    const stored = await mongoAgain
      .db()
      .collection('complaints')
      .findOne({ _id: 'c-1' as never });
    await mongoAgain.close();
    const redisAgain = new Redis(second.redisUrl);
    const marker = await redisAgain.get('bull:{triage}:marker');
    await redisAgain.quit();

    expect(stored).toEqual({ _id: 'c-1', subject: '账户被冻结' });
    expect(marker).toBe('kept');
    expect(second.mongoKind).toContain(`H2 file in ${dataDir}`);
    expect(second.redisKind).toContain(`AOF in ${dataDir}`);
  }, 60_000);
});
