// The price table: USD per million input and output tokens by `provider:model`, and what a model's usage costs.
// Browser-safe (no file access): the runner loads the table (see price-file.ts), the editor only shows figures.
import { z } from 'zod';
import defaultPrices from './default-prices.json';
import { roundUsd } from './usage';

export const PRICE_TABLE_FORMAT = 'storyloom/prices@1';

export const ModelPriceSchema = z.strictObject({
  inputPerMillion: z.number().min(0),
  outputPerMillion: z.number().min(0),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

export const PriceTableSchema = z.strictObject({
  format: z.literal(PRICE_TABLE_FORMAT),
  description: z.string().optional(),
  /** `provider:model` (a prefix of the model names it covers) or `provider:*`. */
  models: z.record(z.string().regex(/^[a-z]+:.+$/, 'keys are provider:model or provider:*'), ModelPriceSchema),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** The shipped defaults: common OpenAI models, and zero for models that run on this machine. */
export const DEFAULT_PRICES: PriceTable = PriceTableSchema.parse(defaultPrices);

/** `override`'s entries replace the defaults' (a file need only list what differs). */
export function mergePriceTables(base: PriceTable, override: PriceTable): PriceTable {
  return { ...base, models: { ...base.models, ...override.models } };
}

/**
 * The price of `model` (a shorthand such as `openai:gpt-4o-mini-2024-07-18`): an exact entry, else the longest
 * entry that is a prefix of it, else `provider:*`; undefined when the table does not know the model.
 */
export function priceOf(table: PriceTable, model: string): ModelPrice | undefined {
  const exact = table.models[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(table.models)) {
    if (key.endsWith(':*') || !model.startsWith(key)) continue;
    if (best === undefined || key.length > best.length) best = key;
  }
  if (best !== undefined) return table.models[best];
  const provider = model.includes(':') ? model.slice(0, model.indexOf(':')) : model;
  return table.models[`${provider}:*`];
}

/** USD for this many tokens at `price`, rounded to a millionth of a dollar (no float dust in sums). */
export function costUsd(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return roundUsd((inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000);
}

