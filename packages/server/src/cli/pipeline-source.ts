// Where `run` and `validate` get a pipeline from (a file, or a saved pipeline by id) and how the
// command line's `--input k=v` / `--inputs file.json` become run inputs.
import fs from 'node:fs';
import path from 'node:path';
import { ID_PATTERN, invalidPipelineMessage, requireValidPipeline, resolveRunInputs } from '@storyloom/engine';
import type { Pipeline, RunInputs } from '@storyloom/engine';
import type { CliContext } from './context';
import { invalid } from './errors';
import { problemList } from './format';
import { readJsonFile } from './json-file';
import { findShippedPipeline, shippedPipelinesDir } from '../shipped-pipelines';

export interface PipelineSource {
  pipeline: Pipeline;
  /** Set for a saved pipeline: the run records which version it ran. */
  saved?: { id: string; version: number };
  /** How to name the pipeline in messages: the file or `saved pipeline 'id'`. */
  label: string;
}

/** Reads and validates a pipeline file; exit 2 listing every problem when it is not a valid pipeline. */
export function loadPipelineFile(file: string, cwd: string): PipelineSource {
  const document = readJsonFile(file, cwd, 'pipeline file');
  return { pipeline: checkedPipeline(document, file), label: file };
}

/** The engine's check, every problem listed one per line (exit 2). */
export function checkedPipeline(document: unknown, label: string): Pipeline {
  return requireValidPipeline(document, { label, list: 'table' });
}

/** `run <file|pipelineId>`: an existing path (or anything that looks like one) is a file, else a saved id. */
export async function loadPipelineArg(ctx: CliContext, arg: string): Promise<PipelineSource> {
  const looksLikeFile = /[./\\]/.test(arg) || fs.existsSync(path.resolve(ctx.io.cwd, arg));
  if (looksLikeFile || !ID_PATTERN.test(arg)) return loadPipelineFile(arg, ctx.io.cwd);
  const stored = await (await ctx.storyloom()).pipelines.get(arg);
  if (!stored) {
    // Not in this database (e.g. a new one, before `serve` seeded it): the shipped example of that id, if any.
    const shipped = findShippedPipeline(shippedPipelinesDir(ctx.io.env), arg);
    if (shipped) {
      const relative = path.relative(ctx.io.cwd, shipped.source);
      const label = `shipped pipeline '${arg}' (${relative.startsWith('..') ? shipped.source : relative})`;
      return { pipeline: checkedPipeline(shipped.document, label), label };
    }
    throw invalid(`no saved pipeline '${arg}' in ${ctx.databaseLabel}, no shipped one and no file of that name (pass a path to a pipeline file, e.g. ./${arg}.json)`);
  }
  if (!stored.valid) {
    // Saved as a draft (from the editor or the API): listed with its problems, never run.
    const label = `saved pipeline '${arg}' v${stored.version} (a draft)`;
    throw invalid(invalidPipelineMessage(stored.errors, { label, list: 'table', hint: 'fix them and save a valid version to run it' }));
  }
  return { pipeline: stored.pipeline, saved: { id: stored.id, version: stored.version }, label: `saved pipeline '${arg}' v${stored.version}` };
}

/** `--inputs file.json` first, then each `--input k=v` on top (the command line wins). */
export function collectInputs(cwd: string, inputsFile: string | undefined, pairs: readonly string[]): Record<string, unknown> {
  const provided: Record<string, unknown> = {};
  if (inputsFile !== undefined) {
    const document = readJsonFile(inputsFile, cwd, 'inputs file');
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      throw invalid(`inputs file '${inputsFile}' must hold a JSON object of input names to values`);
    }
    Object.assign(provided, document);
  }
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw invalid(`--input '${pair}' must look like name=value`);
    provided[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return provided;
}

/** Defaults applied and strings coerced; exit 2 naming every missing, unknown or mistyped input. */
export function checkedInputs(source: PipelineSource, provided: Record<string, unknown>): RunInputs {
  const { inputs, problems } = resolveRunInputs(source.pipeline, provided);
  if (problems.length > 0) {
    const declared = Object.entries(source.pipeline.inputs ?? {})
      .map(([name, def]) => `${name} (${def.type}${def.required ? ', required' : ''})`)
      .join(', ');
    throw invalid(`invalid run inputs for ${source.label}:\n${problemList(problems)}\n  inputs it takes: ${declared || 'none'}`);
  }
  return inputs;
}
