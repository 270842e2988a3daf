/**
 * A tiny local webhook receiver for tests of the sandbox (and of anything that wants to see what the sandbox sends):
 * records every POST with its headers and JSON body, answers 500 to the first `failFirst` requests, then 200.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: { event: string; data: Record<string, unknown>; event_id: string; timestamp: string };
  answered: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Events answered 200, in arrival order. */
  accepted(): ReceivedWebhook[];
  /** Resolves once `predicate` holds for the accepted events (polls; rejects after `timeoutMs`). */
  waitFor(predicate: (accepted: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(opts: { failFirst?: number } = {}): Promise<WebhookReceiver> {
  let remainingFailures = opts.failFirst ?? 0;
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = remainingFailures > 0 ? 500 : 200;
      if (remainingFailures > 0) remainingFailures -= 1;
      let body: ReceivedWebhook['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedWebhook['body'];
      } catch {
        body = { event: '<invalid json>', data: {}, event_id: '', timestamp: '' };
      }
      received.push({ headers: req.headers, body, answered });
      res.writeHead(answered, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const accepted = (): ReceivedWebhook[] => received.filter((r) => r.answered === 200);
  return {
    url: `http://127.0.0.1:${port}/webhooks/mono`,
    received,
    accepted,
    waitFor: async (predicate, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (predicate(accepted())) return accepted();
        if (Date.now() > deadline) throw new Error(`webhooks not received in time; got ${received.map((r) => `${r.body.event}:${r.answered}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
