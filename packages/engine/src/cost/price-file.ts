// Reads the price table a process uses: the shipped defaults, with the entries of the JSON file that
// STORYLOOM_PRICES names laid over them. A missing or malformed file is refused with its path and the problem.
import { readFileSync } from 'node:fs';
import { StoryloomError } from '../errors';
import { DEFAULT_PRICES, mergePriceTables, PriceTableSchema, type PriceTable } from './prices';

export function loadPriceTable(path: string | undefined): PriceTable {
  if (path === undefined || path.trim() === '') return DEFAULT_PRICES;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StoryloomError('invalid_input', `STORYLOOM_PRICES: cannot read ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new StoryloomError('invalid_input', `STORYLOOM_PRICES: ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = PriceTableSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new StoryloomError('invalid_input', `STORYLOOM_PRICES: ${path} is not a price table (${problems.slice(0, 3).join('; ')})`);
  }
  return mergePriceTables(DEFAULT_PRICES, parsed.data);
}
