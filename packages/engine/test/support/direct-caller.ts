// A ModelCaller for unit tests: answers every call with the node's own offline writer, validates JSON
// answers against the call's schema (as the real caller does), and records what was asked.
import type { JsonCall, ModelCaller, TextCall } from '../../src/nodes/types';

export interface RecordedCall {
  kind: 'text' | 'json';
  label?: string;
  prompt: string;
}

export interface DirectCaller extends ModelCaller {
  calls: RecordedCall[];
  /** Most calls in flight at once. */
  maxInFlight: number;
}

export function directCaller(options: { delayMs?: number } = {}): DirectCaller {
  let inFlight = 0;
  const caller: DirectCaller = {
    offline: true,
    calls: [],
    maxInFlight: 0,
    async text(call: TextCall) {
      return track('text', call, () => call.offline());
    },
    async json<T>(call: JsonCall<T>) {
      return track('json', call, () => call.schema.parse(call.prepare ? call.prepare(call.offline()) : call.offline()));
    },
  };
  async function track<R>(kind: RecordedCall['kind'], call: TextCall | JsonCall<unknown>, answer: () => R): Promise<R> {
    caller.calls.push({ kind, label: call.label, prompt: call.prompt });
    inFlight++;
    caller.maxInFlight = Math.max(caller.maxInFlight, inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
      return answer();
    } finally {
      inFlight--;
    }
  }
  return caller;
}
