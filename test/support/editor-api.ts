// Editor browser tests' shared setup: a server with the shipped pipelines and one page, the server's API as
// the tests call it beside the page (JSON requests that fail loudly), and waiting for a run to reach a state.
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, startAll, startEditorServer, type EditorServer } from './browser';
import { PIPELINES_DIR } from './cli';

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

export interface EditorSession {
  server: EditorServer;
  browser: Browser;
  page: Page;
  pageErrors: string[];
}

/**
 * One server seeded with the shipped pipelines and one Chromium page at 1440×900 for a whole test file (the
 * suite's tests run in order on the same page); `close` stops whatever did start. `serverEnv` adds to the
 * server's environment (read at start, so it may name a stub started just before).
 */
export function shippedEditorSession(
  contextOptions: BrowserContextOptions = {},
  serverEnv: () => Record<string, string> = () => ({}),
): { start(): Promise<EditorSession>; close(): Promise<void> } {
  let server: EditorServer | undefined;
  let browser: Browser | undefined;
  return {
    start: async () => {
      await startAll<[EditorServer, Browser]>([() => startEditorServer({ STORYLOOM_PIPELINES_DIR: PIPELINES_DIR, ...serverEnv() }), launchBrowser], ([s, b]) => {
        server = s;
        browser = b;
      });
      const context = await browser!.newContext({ viewport: { width: 1440, height: 900 }, ...contextOptions });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      return { server: server!, browser: browser!, page, pageErrors: collectPageErrors(page) };
    },
    close: async () => {
      await browser?.close();
      await server?.close();
    },
  };
}
