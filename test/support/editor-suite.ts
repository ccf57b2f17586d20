// The setup every editor browser test file shares: a server (seeded with the shipped pipelines unless told
// otherwise) and Chromium for the whole file, started in its beforeAll and closed in its afterAll, and a page at
// 1440×900 whose errors are collected, either one for the whole file (its tests run in order on it) or a fresh
// one for each test. The file reads them through getters, which say plainly when setup failed rather than
// handing a test `undefined`.
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, startAll, startEditorServer, type EditorServer } from './browser';
import { PIPELINES_DIR } from './cli';
import { apiOf, type ApiCall } from './editor-api';

export interface EditorSuiteOptions {
  /** The page's browser context options, over a 1440×900 viewport. */
  context?: BrowserContextOptions;
  /** Added to the server's environment. Read when the server starts, so it may name a stub started just before. */
  serverEnv?: () => Record<string, string>;
  /** Seeds the server's new database with the repository's pipelines/ (default); false starts it empty. */
  shipped?: boolean;
  /** A fresh context and page for each test (closed after it) instead of one page for the whole file. */
  pagePerTest?: boolean;
  /** How long the page's actions and waits may take (default 20 s). */
  pageTimeoutMs?: number;
}

export interface EditorSuite {
  readonly server: EditorServer;
  readonly browser: Browser;
  readonly page: Page;
  /** The page's console errors and uncaught exceptions so far. */
  readonly pageErrors: string[];
  /** The server's API, as JSON requests that fail loudly. */
  readonly api: ApiCall;
}

/** Registers the file's beforeAll/afterAll (and with `pagePerTest` its beforeEach/afterEach); call it at top level. */
export function editorSuite(options: EditorSuiteOptions = {}): EditorSuite {
  let server: EditorServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let pageErrors: string[] | undefined;

  const openPage = async () => {
    context = await started(browser, 'browser').newContext({ viewport: { width: 1440, height: 900 }, ...options.context });
    page = await context.newPage();
    page.setDefaultTimeout(options.pageTimeoutMs ?? 20_000);
    pageErrors = collectPageErrors(page);
  };
  const closePage = async () => {
    const closing = context;
    context = page = pageErrors = undefined;
    await closing?.close();
  };

  beforeAll(async () => {
    const env = { ...(options.shipped === false ? {} : { STORYLOOM_PIPELINES_DIR: PIPELINES_DIR }), ...options.serverEnv?.() };
    await startAll<[EditorServer, Browser]>([() => startEditorServer(env), launchBrowser], ([s, b]) => {
      server = s;
      browser = b;
    });
    if (!options.pagePerTest) await openPage();
  });
  if (options.pagePerTest) {
    beforeEach(openPage);
    afterEach(closePage);
  }
  // Everything that started is closed even when something else fails to close (or never started).
  afterAll(async () => {
    const closed = await Promise.allSettled([browser?.close(), server?.close()]);
    browser = server = undefined;
    const failed = closed.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  });

  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    get page() {
      return started(page, 'page');
    },
    get pageErrors() {
      return started(pageErrors, 'page');
    },
    api: apiOf(() => started(server, 'server')),
  };
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The editor suite's ${what} is not open: its setup failed (the error is reported with the file), or it is read outside a test`);
  return value;
}
