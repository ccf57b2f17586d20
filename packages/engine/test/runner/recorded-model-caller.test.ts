// The order a recorded model caller keeps: a reply is handed back to its node at once, while its record commits
// (with whatever the node writes next), and the node's next request goes out only once that record is on disk;
// a record that failed fails that next request instead of sending it.
import { recordedModelCaller } from '../../src/runner/recorded-model-caller';
import type { RunContext } from '../../src/runner/run-context';
import type { ModelCaller } from '../../src/nodes/types';

/** What happened, in order: sends, replies handed back, records committed. */
function harness(options: { failRecord?: boolean } = {}) {
  const log: string[] = [];
  let sent = 0;
  const inner: ModelCaller = {
    offline: false,
    text: async (call) => {
      sent += 1;
      log.push(`sent ${call.label}`);
      return `reply to ${call.label}`;
    },
    json: async () => {
      throw new Error('not used');
    },
  };
  // Commits a turn later, as the group commit does: after the rest of this turn's work has asked for its writes.
  const fenced = (fn: (tx: unknown) => Promise<unknown>) =>
    new Promise((resolve, reject) =>
      setImmediate(async () => {
        try {
          const value = await fn({ modelCalls: { put: async ({ callKey }: { callKey: string }) => log.push(`recorded ${callKey}`) } });
          if (options.failRecord) throw new Error('the database went away');
          resolve(value);
        } catch (error) {
          reject(error);
        }
      }),
    );
  const ctx = {
    run: { id: 'run-1' },
    stores: { modelCalls: { get: async () => undefined }, attempts: { forNode: async () => [] } },
    fenced,
  } as unknown as RunContext;
  const caller = recordedModelCaller(inner, ctx, { nodeId: 'lines', nodeType: 'dialogue', attempt: 1, provider: 'openai', keyPrefix: '', countReadBack: () => undefined });
  return { caller, log, sentCount: () => sent };
}

describe('recorded model caller', () => {
  it('hands a reply back before its record commits, and sends the next request only after it has', async () => {
    const { caller, log } = harness();
    const first = await caller.text({ label: 'scene-1', prompt: 'one', offline: () => '' });
    log.push(`node has ${first}`);
    await caller.text({ label: 'scene-2', prompt: 'two', offline: () => '' });
    expect(log).toEqual(['sent scene-1', 'node has reply to scene-1', 'recorded scene-1#0', 'sent scene-2']);
  });

  it('does not hold back calls made together: each is sent, each is recorded', async () => {
    const { caller, log } = harness();
    await Promise.all(['a', 'b', 'c'].map((label) => caller.text({ label, prompt: label, offline: () => '' })));
    expect(log.slice(0, 3)).toEqual(['sent a', 'sent b', 'sent c']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.filter((entry) => entry.startsWith('recorded')).sort()).toEqual(['recorded a#0', 'recorded b#0', 'recorded c#0']);
  });

  it('fails the next request when a record could not be written, without sending it', async () => {
    const { caller, sentCount } = harness({ failRecord: true });
    await caller.text({ label: 'scene-1', prompt: 'one', offline: () => '' });
    await expect(caller.text({ label: 'scene-2', prompt: 'two', offline: () => '' })).rejects.toThrow('the database went away');
    expect(sentCount()).toBe(1);
  });
});
