// What editor browser tests do beside the page: call the server's API (JSON requests that fail loudly), wait
// for a run to reach a state, and start a run from the editor as a producer does. Their setup is editor-suite.ts.
import type { Locator, Page } from 'playwright-core';
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

/**
 * Starts a run from the editor as a producer does (the pipeline's Run tab, its premise, Run), waits until `until`
 * shows (a gate's card, a run status…) and answers the id of the run the page now watches.
 */
export async function runFromEditor(page: Page, url: string, pipelineId: string, premise: string, until: Locator, timeoutMs = 60_000): Promise<string> {
  await page.goto(`${url}/?pipeline=${pipelineId}`);
  await page.getByTestId('tab-run').click();
  await page.getByTestId('input-premise').fill(premise);
  await page.getByTestId('run-button').click();
  await until.waitFor({ timeout: timeoutMs });
  return (await page.getByTestId('watched-run').getAttribute('data-run-id'))!;
}
