import express from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { jsonBody, maxJsonBodyDepth, nestsDeeperThan } from '../src/http/json-body';
import { problemHandler } from '../src/http/problem';
import { createLogger } from '../src/kernel/logger';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** The nesting depth of a parsed JSON value (a scalar is 0). */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

describe('JSON body nesting', () => {
  it('when brackets and braces sit inside strings (escaped quotes included), then they do not count', () => {
    expect(nestsDeeperThan(bytes('{"a":"[[[[{{{{","b":"\\"[[[["}'), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":[1]}'), 1)).toBe(true);
    expect(nestsDeeperThan(bytes('{"文字":"［［","b":{"c":[]}}'), 3)).toBe(false);
  });

  it('for any JSON value, then the byte scan agrees with the depth of the parsed value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, limit) => {
        const text = JSON.stringify(value);
        expect(nestsDeeperThan(bytes(text), limit)).toBe(depthOf(JSON.parse(text)) > limit);
      }),
    );
  });

  it('when a body nests 100,000 levels, then 400 problem+json before it is parsed; at the limit, then it is parsed', async () => {
    const app = express();
    app.use(jsonBody('1mb'));
    app.post('/echo', (req, res) => res.json({ received: true, depth: depthOf(req.body) }));
    app.use(problemHandler(createLogger('test', 'silent')));

    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const refused = await request(app).post('/echo').set('Content-Type', 'application/json').send(deep);
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toBe(
      `The body nests arrays and objects deeper than ${maxJsonBodyDepth} levels.`,
    );

    const atLimit = '['.repeat(maxJsonBodyDepth) + ']'.repeat(maxJsonBodyDepth);
    const accepted = await request(app).post('/echo').set('Content-Type', 'application/json').send(atLimit);
    expect(accepted.body).toEqual({ received: true, depth: maxJsonBodyDepth });
  });
});
