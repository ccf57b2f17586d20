// The browser tests on a machine without a usable Chromium: the finder's order and messages, and the browser
// suite itself (jest in a child process) stopping within seconds with one line instead of failing test by test.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './support/cli';
import { trackChild } from './support/child-processes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findChromium, mayInstall, USUAL_PATHS } = require('./support/find-chromium') as {
  findChromium(options: { env?: NodeJS.ProcessEnv; candidates?: string[]; exists?: (file: string) => boolean }): { path?: string; problem?: string };
  mayInstall(env: NodeJS.ProcessEnv): boolean;
  USUAL_PATHS: string[];
};

describe('finding Chromium', () => {
  const present = (...files: string[]) => (file: string) => files.includes(file);

  test('CHROMIUM_PATH comes first, then the usual paths in order', () => {
    expect(findChromium({ env: { CHROMIUM_PATH: '/opt/x/chrome' }, exists: present('/opt/x/chrome', '/usr/bin/chromium') })).toEqual({ path: '/opt/x/chrome' });
    expect(findChromium({ env: {}, exists: present('/usr/bin/google-chrome', '/usr/bin/chromium-browser') })).toEqual({ path: '/usr/bin/chromium-browser' });
    expect(USUAL_PATHS[0]).toBe('/usr/bin/chromium');
  });

  test('a CHROMIUM_PATH that points nowhere is reported, not replaced by another browser', () => {
    const found = findChromium({ env: { CHROMIUM_PATH: '/nowhere/chrome' }, exists: present('/usr/bin/chromium') });
    expect(found.path).toBeUndefined();
    expect(found.problem).toMatch(/^CHROMIUM_PATH=\/nowhere\/chrome is not an executable file: install Chromium \(Debian\/Ubuntu: sudo apt-get install chromium\)/);
  });

  test('with none anywhere, one line says what to install', () => {
    const found = findChromium({ env: {}, exists: present() });
    expect(found.problem).toMatch(/^no Chromium found \(looked in \/usr\/bin\/chromium, .*sudo apt-get install chromium.*CHROMIUM_PATH/);
    expect(found.problem).not.toMatch(/\n/);
  });

  test('installing is switched off by STORYLOOM_NO_BROWSER_INSTALL=1', () => {
    expect(mayInstall({ STORYLOOM_NO_BROWSER_INSTALL: '1' })).toBe(false);
  });
});

test('the browser suite without a browser stops within seconds with one clear line', async () => {
  const started = Date.now();
  const child = trackChild(
    spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules/jest/bin/jest.js'), '--selectProjects', 'browser', '--ci'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CHROMIUM_PATH: '/nowhere/chromium', STORYLOOM_NO_BROWSER_INSTALL: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (Date.now() - started) / 1000;

  expect(code).toBe(1);
  const lines = output.split('\n').filter((line) => line.includes('Browser tests cannot run'));
  expect(lines).toEqual([
    'Browser tests cannot run: CHROMIUM_PATH=/nowhere/chromium is not an executable file: install Chromium (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chrome/Chromium executable',
  ]);
  // No test ran, so none failed one by one (jest's per-test failure marker and its summary are absent).
  expect(output).not.toMatch(/●|Tests:/);
  // Loose: jest itself needs a few seconds to start on a loaded machine; a hanging suite would take minutes.
  expect(seconds).toBeLessThan(45);
}, 90_000);
