// The editor bundles validatePipeline: nothing it reaches may import a Node built-in.
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const src = join(__dirname, '..', '..', 'src');
// Statements at the start of a line (not words in comments); type-only imports are skipped: they are erased.
const IMPORT = /^[ \t]*(?:import|export)\s+(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/gm;

function resolveSource(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

/** Bare module specifiers reached at run time from `entries` through relative imports, with the first file importing each. */
function bareImports(entries: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier.startsWith('.')) {
        const target = resolveSource(file, specifier);
        if (target) queue.push(target);
      } else if (!found.has(specifier)) {
        found.set(specifier, file);
      }
    }
  }
  return found;
}

it('src/pipeline and everything it imports use no Node built-ins', () => {
  const entries = readdirSync(join(src, 'pipeline')).filter((file) => file.endsWith('.ts')).map((file) => join(src, 'pipeline', file));
  const builtins = new Set(builtinModules);
  const offending = [...bareImports(entries)].filter(([specifier]) => specifier.startsWith('node:') || builtins.has(specifier.split('/')[0]));
  expect(offending).toEqual([]);
  expect(bareImports(entries).has('zod')).toBe(true);
});
