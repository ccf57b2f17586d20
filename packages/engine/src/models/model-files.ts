// Model files on this machine: where `local:` and `transformers:` names point (STORYLOOM_MODELS_DIR or an
// absolute path), which files the models folder offers, and a cheap up-front check that a named file is there
// and looks like what its provider reads, so a run that could only fail at load is refused before it starts.
import fs from 'node:fs';
import path from 'node:path';
import { StoryloomError } from '../errors';
import { checkGgufHeader } from './gguf-header';

export const MODELS_DIR_VARIABLE = 'STORYLOOM_MODELS_DIR';
export const DEFAULT_MODELS_DIR = './models';

export type FileModelProvider = 'local' | 'transformers';

export interface ModelFilesEnv {
  STORYLOOM_MODELS_DIR?: string;
}

/** The models folder, absolute (relative values are taken from the working directory). */
export function modelsDir(env: ModelFilesEnv, cwd = process.cwd()): string {
  return path.resolve(cwd, env.STORYLOOM_MODELS_DIR?.trim() || DEFAULT_MODELS_DIR);
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export interface ResolvedModelPath {
  /** Absolute path of the file (local) or folder (transformers). */
  path: string;
  /** Inside the models folder. */
  inModelsDir: boolean;
}

/**
 * Where a `local:`/`transformers:` name points: absolute names as given; relative names in the models folder,
 * else (so `local:models/x.gguf` works from the project folder) from the working directory. The first that
 * exists wins; when neither does, the models-folder reading is returned (and named in the error).
 */
export function resolveModelPath(name: string, env: ModelFilesEnv, cwd = process.cwd()): ResolvedModelPath {
  const dir = modelsDir(env, cwd);
  if (path.isAbsolute(name)) return { path: path.normalize(name), inModelsDir: isInside(path.normalize(name), dir) };
  const inDir = path.resolve(dir, name);
  if (fs.existsSync(inDir)) return { path: inDir, inModelsDir: isInside(inDir, dir) };
  const fromCwd = path.resolve(cwd, name);
  if (fs.existsSync(fromCwd)) return { path: fromCwd, inModelsDir: isInside(fromCwd, dir) };
  return { path: inDir, inModelsDir: isInside(inDir, dir) };
}

/** Where transformers.js reads a causal model's weights (its default file in its default subfolder). */
const TRANSFORMERS_ONNX_CANDIDATES = ['onnx/model.onnx'];

/** The ONNX file transformers.js will load from a model folder, or undefined. */
export function transformersOnnxFile(folder: string): string | undefined {
  return TRANSFORMERS_ONNX_CANDIDATES.map((candidate) => path.join(folder, candidate)).find((file) => fs.existsSync(file));
}

function readJsonFile(file: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(fs.readFileSync(file, 'utf8')) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** Why a Transformers folder cannot be used, or undefined when it has what transformers.js reads. */
function transformersFolderProblem(folder: string): string | undefined {
  for (const file of ['config.json', 'tokenizer.json']) {
    const full = path.join(folder, file);
    if (!fs.existsSync(full)) return `has no ${file}`;
    const read = readJsonFile(full);
    if (!read.ok) return `${file} is not valid JSON (${read.error})`;
  }
  const onnx = transformersOnnxFile(folder);
  if (!onnx) return `has no ONNX model at ${TRANSFORMERS_ONNX_CANDIDATES.join(' or ')} (an Optimum export writes model.onnx: put it in an onnx/ subfolder)`;
  // An ONNX file is a ModelProto; its first field is ir_version (field 1, varint): the byte 0x08.
  const head = Buffer.alloc(1);
  const fd = fs.openSync(onnx, 'r');
  try {
    if (fs.readSync(fd, head, 0, 1, 0) !== 1 || head[0] !== 0x08) return `${path.relative(folder, onnx)} is not an ONNX model`;
  } finally {
    fs.closeSync(fd);
  }
  return undefined;
}

/** The problem with a model path for its provider (missing, wrong kind, corrupt header), or undefined. */
export function modelFileProblem(provider: FileModelProvider, file: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return provider === 'local' ? 'no such file' : 'no such folder';
  }
  if (provider === 'local') {
    if (!stat.isFile()) return 'is not a file (a GGUF model file is expected)';
    return checkGgufHeader(file);
  }
  if (!stat.isDirectory()) return 'is not a folder (a Transformers model folder with config.json, tokenizer.json and an ONNX model is expected)';
  return transformersFolderProblem(file);
}

export interface ModelFileCheckOptions {
  /** Shared servers: only files inside the models folder may be named. */
  modelsDirOnly?: boolean;
  cwd?: string;
}

/**
 * The absolute path a file model names, checked: throws `invalid_input` naming the file and its problem
 * (missing, not a GGUF, truncated, a folder without an ONNX model, outside the models folder on a shared server).
 */
export function checkModelFile(provider: FileModelProvider, name: string | undefined, env: ModelFilesEnv, options: ModelFileCheckOptions = {}): string {
  const hint = provider === 'local' ? '"local:<file.gguf>"' : '"transformers:<folder>"';
  if (!name) throw new StoryloomError('invalid_input', `the ${provider} provider needs a model path: ${hint}, relative to ${MODELS_DIR_VARIABLE} or absolute`);
  const resolved = resolveModelPath(name, env, options.cwd);
  if (options.modelsDirOnly && !resolved.inModelsDir) {
    throw new StoryloomError(
      'invalid_input',
      `model file '${name}' is outside the models folder (${modelsDir(env, options.cwd)}); this server only runs model files from ${MODELS_DIR_VARIABLE}`,
    );
  }
  const problem = modelFileProblem(provider, resolved.path);
  if (problem) {
    const where = path.isAbsolute(name) ? resolved.path : `${resolved.path}; ${MODELS_DIR_VARIABLE}=${modelsDir(env, options.cwd)}`;
    throw new StoryloomError('invalid_input', `model file '${name}' (${where}): ${problem}`);
  }
  return resolved.path;
}

export interface ModelFileListing {
  /** GGUF files, as names relative to the models folder (`tiny.gguf`, `llama/8b-q4.gguf`). */
  local: string[];
  /** Folders holding a Transformers ONNX model, relative to the models folder. */
  transformers: string[];
  /** Why the folder could not be read, when it exists but is unreadable. */
  problem?: string;
}

const LISTING_DEPTH = 3;
const LISTING_LIMIT = 200;

/** What the models folder offers: GGUF files and Transformers folders, up to three levels deep. */
export function listModelFiles(env: ModelFilesEnv, cwd = process.cwd()): ModelFileListing {
  const root = modelsDir(env, cwd);
  const listing: ModelFileListing = { local: [], transformers: [] };
  if (!fs.existsSync(root)) return listing;
  const visit = (folder: string, depth: number) => {
    if (listing.local.length + listing.transformers.length >= LISTING_LIMIT) return;
    const entries = fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    const relative = path.relative(root, folder).split(path.sep).join('/');
    if (relative && entries.some((entry) => entry.name === 'config.json') && transformersOnnxFile(folder)) {
      listing.transformers.push(relative);
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      if (entry.isFile() && entry.name.toLowerCase().endsWith('.gguf')) listing.local.push(path.relative(root, full).split(path.sep).join('/'));
      else if (entry.isDirectory() && depth < LISTING_DEPTH) visit(full, depth + 1);
    }
  };
  try {
    visit(root, 1);
  } catch (error) {
    listing.problem = `${root} could not be read: ${(error as Error).message}`;
  }
  return listing;
}
