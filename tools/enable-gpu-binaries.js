#!/usr/bin/env node
// Installs one of node-llama-cpp's GPU builds (CUDA or Vulkan) that the default install leaves out. The root
// package.json points them at an empty stand-in (`overrides`); this removes that stand-in for the chosen build
// (in package.json, package-lock.json and node_modules) and installs the real package from the npm registry.
// Usage: node tools/enable-gpu-binaries.js cuda|cuda-ext|vulkan   then start with STORYLOOM_LOCAL_GPU=cuda|vulkan
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const variants = ['cuda', 'cuda-ext', 'vulkan'];
const variant = process.argv[2];
if (!variants.includes(variant)) {
  console.error(`usage: node tools/enable-gpu-binaries.js ${variants.join('|')}`);
  process.exit(2);
}
const platform = process.platform === 'win32' ? 'win' : process.platform;
if (!['linux', 'win'].includes(platform) || process.arch !== 'x64') {
  console.error(`node-llama-cpp publishes ${variant} builds for Linux and Windows on x64 only (this is ${process.platform}-${process.arch}); macOS uses Metal without this step`);
  process.exit(2);
}
const name = `@node-llama-cpp/${platform}-x64-${variant}`;

const readJson = (file) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const writeJson = (file, value) => fs.writeFileSync(path.join(root, file), `${JSON.stringify(value, null, 2)}\n`);

const manifest = readJson('package.json');
delete manifest.overrides?.[name];
writeJson('package.json', manifest);
const lock = readJson('package-lock.json');
for (const key of Object.keys(lock.packages ?? {})) if (key.endsWith(`node_modules/${name}`)) delete lock.packages[key];
writeJson('package-lock.json', lock);
fs.rmSync(path.join(root, 'node_modules', name), { recursive: true, force: true });

const version = readJson('node_modules/node-llama-cpp/package.json').version;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', `${name}@${version}`], { cwd: root, stdio: 'inherit' });
console.log(`${name}@${version} installed. Start Storyloom with STORYLOOM_LOCAL_GPU=${variant.startsWith('cuda') ? 'cuda' : 'vulkan'}.`);
