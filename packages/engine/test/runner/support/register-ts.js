// Lets a child process run the engine's TypeScript sources directly (compiled on require by swc, as jest
// does), so crash and multi-process tests need no prior build.
const Module = require('node:module');
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: false,
  });
  module._compile(code, filename);
};
