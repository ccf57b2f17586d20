// Loads an ES-module-only package (node-llama-cpp) from this CommonJS library, or any package as a module of
// Node's main context. TypeScript compiles `import()`
// to `require()` here, and `require()` cannot load a module graph with top-level await, so the import is
// compiled at run time. Inside test runners that sandbox modules in a VM context that has no module loader, it
// is compiled in Node's main context with Node's default loader instead.
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { LoadOnce } from './load-once';

type DynamicImport = (specifier: string) => Promise<unknown>;

// eslint-disable-next-line @typescript-eslint/no-implied-eval
const plainImport = new Function('specifier', 'return import(specifier)') as DynamicImport;

function mainContextImport(): DynamicImport {
  return vm.runInThisContext('(specifier) => import(specifier)', {
    filename: __filename,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  }) as DynamicImport;
}

async function dynamicImport(url: string): Promise<unknown> {
  try {
    return await plainImport(url);
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('ERR_VM_DYNAMIC_IMPORT')) throw error;
    return mainContextImport()(url);
  }
}

/** Thrown (as its `code`) when the package is not installed, so callers can explain how to install it. */
export class MissingPackageError extends Error {
  constructor(readonly packageName: string, cause: unknown) {
    super(`the package ${packageName} is not installed`, { cause });
    this.name = 'MissingPackageError';
  }
}

const loaded = new LoadOnce<unknown>();

/** The package's ES module namespace, loaded once per process. Rejects with MissingPackageError when absent. */
export function importEsmPackage<T>(packageName: string): Promise<T> {
  return loaded.get(packageName, async () => {
    let entry: string;
    try {
      entry = require.resolve(packageName);
    } catch (error) {
      throw new MissingPackageError(packageName, error);
    }
    return dynamicImport(pathToFileURL(entry).href);
  }) as Promise<T>;
}
