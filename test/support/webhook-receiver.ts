// A webhook receiver on 127.0.0.1 (port 0) for tests: checks each delivery's signature with the hook's secret,
// answers from a script (e.g. 500, 500, then 200 for every delivery id), and keeps what it got.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '@storyloom/engine/node';

export interface ReceivedDelivery {
  id: string;
  event: string;
  body: string;
  payload: Record<string, any>;
  signatureValid: boolean;
  answered: number;
}

export interface WebhookReceiver {
  url: string;
  host: string;
  received: ReceivedDelivery[];
  /** The secret signatures are checked with (set once the hook is created). */
  secret: string;
  close(): Promise<void>;
}

/** `answers`: the status for the 1st, 2nd … try of each delivery id; the last one repeats. */
export async function startWebhookReceiver(answers: number[] = [200]): Promise<WebhookReceiver> {
  const tries = new Map<string, number>();
  const receiver: WebhookReceiver = { url: '', host: '', received: [], secret: '', close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['x-storyloom-delivery']);
      const n = tries.get(id) ?? 0;
      tries.set(id, n + 1);
      const answered = answers[Math.min(n, answers.length - 1)];
      const signature = req.headers['x-storyloom-signature'];
      receiver.received.push({
        id,
        event: String(req.headers['x-storyloom-event']),
        body,
        payload: JSON.parse(body),
        signatureValid: verifyWebhookSignature(receiver.secret, body, typeof signature === 'string' ? signature : undefined),
        answered,
      });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.host = `127.0.0.1:${port}`;
  receiver.url = `http://${receiver.host}/hooks/storyloom`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}
