// Finds the Chromium the browser tests and benchmarks drive: CHROMIUM_PATH when set, else the usual
// Debian/Ubuntu/Chrome/macOS locations. Plain CommonJS so jest's global setup and the benchmarks share it.
'use strict';
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

/** Where Chromium or Chrome usually lives, in the order they are tried. */
const USUAL_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** What to do when none is found: one line a person can act on. */
const INSTALL_HINT =
  'install Chromium (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chrome/Chromium executable';

const isExecutable = (file) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * `{ path }` of the browser to use, or `{ problem }` saying in one line why there is none. A CHROMIUM_PATH that
 * points nowhere is a problem, not a reason to quietly use another browser: it was asked for by name.
 */
function findChromium({ env = process.env, candidates = USUAL_PATHS, exists = isExecutable } = {}) {
  const named = env.CHROMIUM_PATH;
  if (named !== undefined && named.trim() !== '') {
    if (exists(named)) return { path: named };
    return { problem: `CHROMIUM_PATH=${named} is not an executable file: ${INSTALL_HINT}` };
  }
  const found = candidates.find(exists);
  if (found) return { path: found };
  return { problem: `no Chromium found (looked in ${candidates.slice(0, 4).join(', ')} …): ${INSTALL_HINT}` };
}

/**
 * Whether this machine may install Debian's chromium for the tests: as root, with apt-get, and not switched
 * off with STORYLOOM_NO_BROWSER_INSTALL=1 (CI images that must not change, and the test of this very path).
 */
function mayInstall(env = process.env) {
  if (env.STORYLOOM_NO_BROWSER_INSTALL === '1') return false;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

/** Installs Debian's chromium with apt-get (refreshing the package lists when the first try fails). */
function installChromium(log = (line) => process.stderr.write(`${line}\n`)) {
  log('No Chromium found for the browser tests: installing Debian\'s chromium (apt-get install -y chromium)…');
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (install()) return true;
  spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return install();
}

/**
 * The browser path, installing Chromium first where that is allowed; throws an Error whose message is the one
 * line to show otherwise.
 */
function requireChromium(env = process.env) {
  const found = findChromium({ env });
  if (found.path) return found.path;
  const named = env.CHROMIUM_PATH !== undefined && env.CHROMIUM_PATH.trim() !== '';
  if (!named && mayInstall(env) && installChromium()) {
    const installed = findChromium({ env });
    if (installed.path) return installed.path;
  }
  throw new Error(found.problem);
}

module.exports = { USUAL_PATHS, findChromium, mayInstall, requireChromium };
