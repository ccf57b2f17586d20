// Reading the JSON files a user hands the CLI (pipelines, inputs, edited outputs) with errors that
// say which file and what is wrong with it.
import fs from 'node:fs';
import path from 'node:path';
import { invalid } from './errors';

export function readTextFile(file: string, cwd: string, what: string): string {
  const resolved = path.resolve(cwd, file);
  try {
    return fs.readFileSync(resolved, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw invalid(`cannot read ${what} '${file}': ${reason}`);
  }
}

export function parseJson(text: string, source: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`${what} '${source}' is not valid JSON: ${(error as Error).message}`);
  }
}

export function readJsonFile(file: string, cwd: string, what: string): unknown {
  return parseJson(readTextFile(file, cwd, what), file, what);
}
