import { describe, expect, it } from '@jest/globals';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { accessLogSerializers, loggerOptions } from './logger.js';

/** One real request through pino-http with the app's logger options and serializers; returns the access-log line. */
async function accessLogLine(status: number): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const http = pinoHttp({ logger: pino(loggerOptions('info'), sink), serializers: accessLogSerializers });
  const server = createServer((req, res) => {
    http(req, res);
    res.statusCode = status;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const req = request(
      { port, host: '127.0.0.1', path: '/v1/borrowers/abc?bvn=22212345678', headers: { authorization: 'Bearer sk_live_secret' } },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end();
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const line = lines.find((l) => l.includes('request completed'));
  if (!line) throw new Error(`no access-log line in ${lines.join('')}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('access log', () => {
  it('should record the real status code, the path without its query and no headers', async () => {
    const line = await accessLogLine(201);
    expect(line.res).toEqual({ statusCode: 201 });
    expect(line.req).toMatchObject({ method: 'GET', url: '/v1/borrowers/abc' });
    expect(JSON.stringify(line)).not.toMatch(/22212345678|sk_live_secret|authorization/i);
  });

  it('should record error statuses too', async () => {
    expect((await accessLogLine(404)).res).toEqual({ statusCode: 404 });
  });
});
