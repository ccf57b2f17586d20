// jest global setup of the browser tests: find (or install) Chromium once, before any test starts. Without one
// the run stops here with a single line saying what to install, instead of every browser test failing in turn.
'use strict';
const { requireChromium } = require('./find-chromium');

module.exports = async function browserGlobalSetup() {
  try {
    // Workers start after this and inherit the environment, so each test launches the same browser.
    process.env.CHROMIUM_PATH = requireChromium(process.env);
  } catch (error) {
    process.stderr.write(`\nBrowser tests cannot run: ${error.message}\n`);
    process.exit(1);
  }
};
