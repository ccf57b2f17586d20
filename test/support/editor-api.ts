// The server's API as browser tests call it beside the page: JSON requests that fail loudly, and waiting for a
// run to reach a state (polled, for runs the test started or decided through the API).
import type { EditorServer } from './browser';

export interface TestRunView {
  id: string;
  status: string;
  version: number | null;
  nodes: Record<string, { status: string; output?: any; usage?: { totalTokens: number } }>;
  pending: Array<{ nodeId: string; draft: any }>;
}

export type ApiCall = <T>(path: string, init?: RequestInit) => Promise<T>;

export function apiOf(server: () => EditorServer): ApiCall {
  return async <T>(path: string, init?: RequestInit) => {
    const response = await fetch(`${server().url}${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...((init?.headers as Record<string, string>) ?? {}) } });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
}

/** Polls a run until `test` holds (a generous limit: machines running these tests are shared). */
export async function waitForRun(api: ApiCall, id: string, test: (run: TestRunView) => boolean, timeoutMs = 60_000): Promise<TestRunView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = await api<TestRunView>(`/api/runs/${id}`);
    if (test(run)) return run;
    if (Date.now() > until) throw new Error(`run ${id} never got there: ${run.status}, waiting on ${JSON.stringify(run.pending.map((p) => p.nodeId))}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
