// The pure rules behind webhook sending: the backoff schedule, where hooks may point, and the signature.
import { canonicalHost, checkWebhookUrl, nextRetryDelay, signWebhookBody, verifyWebhookSignature, webhookHostPolicy } from '../../src/node';

test('backoff doubles from the base delay, stops at the cap, and ends after the last try', () => {
  const schedule = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 500 };
  expect([1, 2, 3, 4, 5].map((attempts) => nextRetryDelay(schedule, attempts))).toEqual([100, 200, 400, 500, undefined]);
});

test('hosts: anywhere for a local user, only listed hosts on a shared server or once a list is set', () => {
  expect(webhookHostPolicy({}, { restricted: false })).toBe('any');
  expect(checkWebhookUrl('http://10.0.0.5:8080/x', 'any')).toBe('http://10.0.0.5:8080/x');
  const shared = webhookHostPolicy({ STORYLOOM_WEBHOOK_HOSTS: 'Hooks.Example.org, http://127.0.0.1:9000/ignored-path' }, { restricted: true });
  expect(shared).toEqual({ allowed: new Set(['hooks.example.org', '127.0.0.1:9000']) });
  expect(checkWebhookUrl('https://HOOKS.example.org/storyloom', shared)).toBe('https://hooks.example.org/storyloom');
  expect(() => checkWebhookUrl('http://127.0.0.1:9001/x', shared)).toThrow(/may not be sent to '127.0.0.1:9001'.*allowed hosts: hooks.example.org, 127.0.0.1:9000/);
  expect(() => checkWebhookUrl('http://127.0.0.1/x', webhookHostPolicy({}, { restricted: true }))).toThrow(/allowed hosts: none/);
  expect(webhookHostPolicy({ STORYLOOM_WEBHOOK_HOSTS: 'a.test' }, { restricted: false })).toEqual({ allowed: new Set(['a.test']) });
  expect(canonicalHost('http://[::1]:80/')).toBe('[::1]');
});

test('a signature verifies only with the same secret and the same bytes', () => {
  const body = JSON.stringify({ event: 'run.completed', run: { id: 'r1' } });
  const signature = signWebhookBody('secret-one-long-enough', body);
  expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
  expect(verifyWebhookSignature('secret-one-long-enough', body, signature)).toBe(true);
  expect(verifyWebhookSignature('secret-two-long-enough', body, signature)).toBe(false);
  expect(verifyWebhookSignature('secret-one-long-enough', `${body}\n`, signature)).toBe(false);
  expect(verifyWebhookSignature('secret-one-long-enough', body, undefined)).toBe(false);
});
