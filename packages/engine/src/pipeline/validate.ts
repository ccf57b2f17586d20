// One validator for the CLI, the server and the editor (it runs in the browser): every problem at once.
import type { ValidationProblem } from '../errors';
import { getNodeType, nodeTypes } from '../nodes/catalogue';
import type { NodeType, SlotRead } from '../nodes/types';
import type { ValidationCode } from './codes';
import { checkNodeConfig } from './config';
import { buildGraph, cyclicComponents, findCycleIn, formatCycle, reachable, subgraph, type PipelineGraph } from './graph';
import { defaultMatchesType, representativeValue, resolveRunInputs } from './inputs';
import { problemsFromIssues } from './issues';
import { escapePointer, toPointer } from './pointer';
import { InputDefinitionSchema, PIPELINE_FORMAT, PipelineSchema, type Pipeline, type PipelineNode, type RunInputs } from './schema';
import { flatOrder, slotWrittenBy, visibleSlotsIn, writersById } from './slots';
import { didYouMean } from './suggest';
import { parseReferences } from './templates';

export interface ValidationResult {
  valid: boolean;
  errors: ValidationProblem[];
  /** The parsed document, when its shape is right (even if graph checks found problems). */
  pipeline?: Pipeline;
}

export interface ValidateOptions {
  /** Run inputs as given (CLI strings are fine): also checks required, unknown and mistyped inputs. */
  inputs?: Record<string, unknown>;
}

/** Every problem at once. With `inputs`, also checks required run inputs. Browser-safe. */
export function validatePipeline(document: unknown, options: ValidateOptions = {}): ValidationResult {
  if (!isRecord(document)) {
    return result([problem('', 'schema', `a pipeline is a JSON object, not ${describeJson(document)}`)]);
  }
  if (document.format !== PIPELINE_FORMAT) {
    const found = document.format === undefined ? 'has no "format"' : `has format ${describeJson(document.format)}`;
    return result([problem('/format', 'unknown_format', `this file ${found}; Storyloom pipelines have "format": "${PIPELINE_FORMAT}"`)]);
  }
  const parsed = PipelineSchema.safeParse(document);
  const problems = parsed.success
    ? []
    : problemsFromIssues(parsed.error.issues, { input: document, schema: PipelineSchema, code: shapeCode, where: placeIn(document) });
  const salvaged = parsed.success ? { pipeline: parsed.data, unreadableConfig: new Set<number>() } : salvage(document);
  // A document too broken to read as nodes and edges gets its shape problems only: graph checks would guess.
  if (!salvaged) return result(problems);
  problems.push(...checkPipeline(salvaged.pipeline, options, salvaged.unreadableConfig));
  return result(problems, parsed.success ? parsed.data : undefined);
}

/** One line per problem, columns aligned: `path  code  message`. */
export function formatProblems(errors: readonly ValidationProblem[]): string {
  const paths = errors.map((error) => error.path || '/');
  const pathWidth = Math.max(0, ...paths.map((path) => path.length));
  const codeWidth = Math.max(0, ...errors.map((error) => error.code.length));
  return errors.map((error, i) => `${paths[i].padEnd(pathWidth)}  ${error.code.padEnd(codeWidth)}  ${error.message}`).join('\n');
}

function result(errors: ValidationProblem[], pipeline?: Pipeline): ValidationResult {
  return pipeline ? { valid: errors.length === 0, errors, pipeline } : { valid: errors.length === 0, errors };
}

function problem(path: string, code: ValidationCode, message: string): ValidationProblem {
  return { path, code, message };
}

// ——— shape ———

function shapeCode(issue: { code: string; path: readonly PropertyKey[] }): ValidationCode {
  if (issue.code !== 'invalid_format') return 'schema';
  const [first, , field] = issue.path;
  if (issue.path.length === 1 && first === 'id') return 'invalid_id';
  if (first === 'nodes' && issue.path.length === 3 && field === 'id') return 'invalid_id';
  if (first === 'nodes' && issue.path.length === 3 && field === 'writes') return 'invalid_slot_name';
  return 'schema';
}

/** Names the place of a shape problem for people: `node 'cast' position.x`, `edge 3 (cast → beats)`. */
function placeIn(document: Record<string, unknown>): (path: readonly PropertyKey[]) => string {
  return (path) => {
    const [first, index, ...rest] = path;
    const tail = rest.length > 0 ? ` ${rest.join('.')}` : '';
    if (first === 'nodes' && typeof index === 'number') {
      const node = arrayItem(document.nodes, index);
      return `${typeof node?.id === 'string' ? `node '${node.id}'` : `node ${index}`}${tail}`;
    }
    if (first === 'edges' && typeof index === 'number') {
      const edge = arrayItem(document.edges, index);
      const ends = typeof edge?.source === 'string' && typeof edge.target === 'string' ? ` (${edge.source} → ${edge.target})` : '';
      return `edge ${index}${ends}${tail}`;
    }
    if (first === 'inputs' && index !== undefined) return `input '${String(index)}'${tail}`;
    return path.length === 0 ? 'pipeline' : `pipeline ${path.join('.')}`;
  };
}

function arrayItem(list: unknown, index: number): Record<string, unknown> | undefined {
  const item = Array.isArray(list) ? list[index] : undefined;
  return isRecord(item) ? item : undefined;
}

/**
 * When the shape is wrong only in details (an unknown key, a bad position), the nodes and edges can still be
 * read, so graph problems are reported in the same pass. Index positions are kept so paths stay right.
 */
function salvage(document: Record<string, unknown>): { pipeline: Pipeline; unreadableConfig: Set<number> } | undefined {
  const { nodes, edges } = document;
  if (!Array.isArray(nodes) || !Array.isArray(edges)) return undefined;
  if (!nodes.every((node) => isRecord(node) && typeof node.id === 'string' && typeof node.type === 'string')) return undefined;
  if (!edges.every((edge) => isRecord(edge) && typeof edge.source === 'string' && typeof edge.target === 'string')) return undefined;
  const unreadableConfig = new Set<number>();
  const inputs: NonNullable<Pipeline['inputs']> = {};
  if (isRecord(document.inputs)) {
    for (const [name, definition] of Object.entries(document.inputs)) {
      const parsed = InputDefinitionSchema.safeParse(definition);
      if (parsed.success) inputs[name] = parsed.data;
    }
  }
  const readNode = (node: Record<string, unknown>, index: number): PipelineNode => {
    if (node.config !== undefined && !isRecord(node.config)) unreadableConfig.add(index);
    return {
      id: node.id as string,
      type: node.type as string,
      config: isRecord(node.config) ? node.config : undefined,
      writes: typeof node.writes === 'string' ? node.writes : undefined,
    };
  };
  return {
    pipeline: {
      format: PIPELINE_FORMAT,
      id: typeof document.id === 'string' ? document.id : '',
      name: typeof document.name === 'string' ? document.name : '',
      inputs,
      nodes: (nodes as Record<string, unknown>[]).map(readNode),
      edges: (edges as Array<{ source: string; target: string }>).map(({ source, target }) => ({ source, target })),
    },
    unreadableConfig,
  };
}

// ——— graph, types, config, slots, templates, inputs ———

/** What the checks share: the pipeline, its graph (self-loops left out) and per-node facts computed once. */
interface Checked {
  pipeline: Pipeline;
  graph: PipelineGraph;
  nodeIds: Set<string>;
  /** Index of the first node with each id. */
  indexOf: Map<string, number>;
  types: Array<NodeType | undefined>;
  configs: unknown[];
  writes: Map<string, string>;
  ancestors: (id: string) => Set<string>;
  /** Slot → writer id, as node `id` sees the memory. */
  visible: (id: string) => Map<string, string>;
  problems: ValidationProblem[];
}

function checkPipeline(pipeline: Pipeline, options: ValidateOptions, unreadableConfig: Set<number>): ValidationProblem[] {
  const graph = buildGraph({ nodes: pipeline.nodes, edges: pipeline.edges.filter((edge) => edge.source !== edge.target) });
  const ancestorCache = new Map<string, Set<string>>();
  const visibleCache = new Map<string, Map<string, string>>();
  const writes = writersById(pipeline.nodes);
  const order = flatOrder(graph);
  const checked: Checked = {
    pipeline,
    graph,
    nodeIds: new Set(graph.ids),
    indexOf: new Map(),
    types: pipeline.nodes.map((node) => getNodeType(node.type)),
    configs: [],
    writes,
    ancestors: (id) => {
      if (!ancestorCache.has(id)) ancestorCache.set(id, reachable(graph.parents, [id]));
      return ancestorCache.get(id)!;
    },
    visible: (id) => {
      if (!visibleCache.has(id)) visibleCache.set(id, visibleSlotsIn(graph, writes, id, order));
      return visibleCache.get(id)!;
    },
    problems: [],
  };
  pipeline.nodes.forEach((node, index) => {
    if (!checked.indexOf.has(node.id)) checked.indexOf.set(node.id, index);
  });

  checkNodeIds(checked);
  checkEdges(checked);
  checkCycles(checked);
  checkNodeTypes(checked);
  const inputValues = checkInputs(checked, options);
  checkConfigs(checked, inputValues, unreadableConfig);
  checkWrites(checked);
  const reported = checkTemplates(checked);
  checkReads(checked, reported);
  checkSlotConflicts(checked);
  checkReviewTargets(checked);
  return checked.problems;
}

function nodeName(checked: Checked, index: number): string {
  const node = checked.pipeline.nodes[index];
  return `${checked.types[index] ? node.type : 'node'} '${node.id}'`;
}

function checkNodeIds({ pipeline, indexOf, problems }: Checked): void {
  pipeline.nodes.forEach((node, index) => {
    const first = indexOf.get(node.id)!;
    if (first !== index) {
      problems.push(problem(`/nodes/${index}/id`, 'duplicate_node_id', `node id '${node.id}' is used by node ${first} and node ${index}; node ids must be unique`));
    }
  });
}

function checkEdges({ pipeline, nodeIds, problems }: Checked): void {
  const seen = new Map<string, number>();
  pipeline.edges.forEach((edge, index) => {
    const label = `edge ${index} (${edge.source} → ${edge.target})`;
    let known = true;
    for (const end of ['source', 'target'] as const) {
      if (nodeIds.has(edge[end])) continue;
      known = false;
      problems.push(problem(`/edges/${index}/${end}`, 'unknown_node', `${label}: ${end} '${edge[end]}' is not a node${didYouMean(edge[end], nodeIds)}`));
    }
    if (edge.source === edge.target) {
      problems.push(problem(`/edges/${index}`, 'self_loop', `${label} connects node '${edge.source}' to itself`));
      return;
    }
    const key = `${edge.source}\u0000${edge.target}`;
    const earlier = seen.get(key);
    if (earlier !== undefined && known) {
      problems.push(problem(`/edges/${index}`, 'duplicate_edge', `${label} repeats edge ${earlier}`));
    } else if (earlier === undefined) {
      seen.set(key, index);
    }
  });
}

/** One cycle per tangle (strongly connected component), at the edge that closes it: disjoint cycles all show. */
function checkCycles({ pipeline, graph, problems }: Checked): void {
  for (const component of cyclicComponents(graph)) {
    const cycle = findCycleIn(subgraph(graph, component))!;
    const [from, to] = cycle.slice(-2);
    const edgeIndex = pipeline.edges.findIndex((edge) => edge.source === from && edge.target === to);
    problems.push(problem(`/edges/${edgeIndex}`, 'cycle', formatCycle(cycle)));
  }
}

function checkNodeTypes({ pipeline, types, problems }: Checked): void {
  const known = nodeTypes.map((type) => type.type);
  pipeline.nodes.forEach((node, index) => {
    if (types[index]) return;
    const hint = didYouMean(node.type, known) || `; known types: ${known.join(', ')}`;
    problems.push(problem(`/nodes/${index}/type`, 'unknown_node_type', `node '${node.id}' has unknown type '${node.type}'${hint}`));
  });
}

/**
 * Checks input defaults, and the run inputs when given. Returns the values config is checked with: the run's
 * values, else defaults, else stand-ins of the declared type (for which only the type can be checked).
 */
function checkInputs({ pipeline, problems }: Checked, options: ValidateOptions): { values: RunInputs; standIns: Set<string> } {
  const declared = pipeline.inputs ?? {};
  for (const [name, definition] of Object.entries(declared)) {
    if (defaultMatchesType(definition)) continue;
    problems.push(
      problem(
        `/inputs/${escapePointer(name)}/default`,
        'invalid_input_default',
        `input '${name}' is declared as ${definition.type} but its default is ${describeJson(definition.default)}`,
      ),
    );
  }
  const given = options.inputs ? resolveRunInputs(pipeline, options.inputs) : undefined;
  if (given) problems.push(...given.problems);
  const values: RunInputs = {};
  const standIns = new Set<string>();
  for (const [name, definition] of Object.entries(declared)) {
    const known = given?.inputs[name] ?? (defaultMatchesType(definition) ? definition.default : undefined);
    if (known !== undefined) {
      values[name] = known;
    } else {
      values[name] = representativeValue(definition);
      standIns.add(name);
    }
  }
  return { values, standIns };
}

function checkConfigs(checked: Checked, inputs: { values: RunInputs; standIns: Set<string> }, unreadableConfig: Set<number>): void {
  checked.pipeline.nodes.forEach((node, index) => {
    const type = checked.types[index];
    if (!type || unreadableConfig.has(index)) return;
    const result = checkNodeConfig(node, ['nodes', index, 'config'], type, inputs.values, inputs.standIns);
    checked.configs[index] = result.config;
    checked.problems.push(...result.problems);
  });
}

function checkWrites(checked: Checked): void {
  checked.pipeline.nodes.forEach((node, index) => {
    const type = checked.types[index];
    if (!type || type.writes !== undefined || node.writes !== undefined) return;
    checked.problems.push(
      problem(`/nodes/${index}/writes`, 'missing_writes', `${nodeName(checked, index)} must name the memory slot it writes: add "writes": "<slot name>"`),
    );
  });
}

/** Slot references per node index that were reported here, so the read check does not report them again. */
function checkTemplates(checked: Checked): Map<number, Set<string>> {
  const reported = new Map<number, Set<string>>();
  const declared = Object.keys(checked.pipeline.inputs ?? {});
  checked.pipeline.nodes.forEach((node, index) => {
    const type = checked.types[index];
    if (!type) return;
    const visible = checked.visible(node.id);
    const templateFields = new Set(type.templateFields ?? []);
    const seenHere = new Set<string>();
    forEachString(node.config ?? {}, [], (text, path) => {
      const isTemplate = path.length === 1 && templateFields.has(String(path[0]));
      const pointer = toPointer(['nodes', index, 'config', ...path]);
      for (const reference of parseReferences(text)) {
        if (reference.kind === 'input') {
          if (declared.includes(reference.name)) continue;
          const hint = didYouMean(reference.name, declared) || (declared.length ? `; declared inputs: ${declared.join(', ')}` : '; it declares no inputs');
          checked.problems.push(
            problem(pointer, 'unknown_template_ref', `${nodeName(checked, index)} references {{${reference.expression}}} but the pipeline has no input '${reference.name}'${hint}`),
          );
        } else if (isTemplate && !visible.has(reference.name) && !seenHere.has(reference.name)) {
          seenHere.add(reference.name);
          checked.problems.push(
            problem(
              pointer,
              'unknown_template_ref',
              `${nodeName(checked, index)} template references {{${reference.expression}}} but no upstream node writes slot '${reference.name}'${slotHint(checked, index, [reference.name], visible)}`,
            ),
          );
        }
      }
    });
    reported.set(index, seenHere);
  });
  return reported;
}

function checkReads(checked: Checked, reported: Map<number, Set<string>>): void {
  checked.pipeline.nodes.forEach((node, index) => {
    const type = checked.types[index];
    if (!type) return;
    const reads = readsOf(type, checked.configs[index] ?? node.config ?? {});
    const visible = checked.visible(node.id);
    for (const read of reads) {
      const options = [read.slot, ...(read.alternatives ?? [])];
      if (read.optional || options.some((slot) => visible.has(slot) || reported.get(index)?.has(slot))) continue;
      const alternatives = (read.alternatives ?? []).map((slot) => ` (or '${slot}')`).join('');
      checked.problems.push(
        problem(
          `/nodes/${index}`,
          'missing_slot',
          `${nodeName(checked, index)} needs slot '${read.slot}'${alternatives} but no upstream node writes it${slotHint(checked, index, options, visible)}`,
        ),
      );
    }
  });
}

/** A type's reads never stop validation: a `reads` that throws on odd config counts as reading nothing. */
function readsOf(type: NodeType, config: unknown): SlotRead[] {
  try {
    return type.reads(config);
  } catch {
    return [];
  }
}

/** How to get a slot upstream: connect a node that already writes it, add a type that does, or fix a typo. */
function slotHint(checked: Checked, index: number, slots: string[], visible: Map<string, string>): string {
  const self = checked.pipeline.nodes[index].id;
  for (const slot of slots) {
    const writer = [...checked.writes].find(([id, written]) => written === slot && id !== self);
    if (writer) {
      const writerIndex = checked.indexOf.get(writer[0])!;
      return `; ${nodeName(checked, writerIndex)} writes it: connect it upstream of '${self}'`;
    }
  }
  const typo = didYouMean(slots[0], visible.keys());
  if (typo) return typo;
  const type = nodeTypes.find((candidate) => slots.includes(candidate.writes ?? ''));
  return type ? `; add a '${type.type}' node upstream of '${self}'` : '';
}

function checkSlotConflicts(checked: Checked): void {
  const bySlot = new Map<string, string[]>();
  for (const [id, slot] of checked.writes) bySlot.set(slot, [...(bySlot.get(slot) ?? []), id]);
  for (const [slot, writers] of bySlot) {
    writers.forEach((later, position) => {
      for (const earlier of writers.slice(0, position)) {
        if (checked.ancestors(later).has(earlier) || checked.ancestors(earlier).has(later)) continue;
        const laterIndex = checked.indexOf.get(later)!;
        const path = checked.pipeline.nodes[laterIndex].writes !== undefined ? `/nodes/${laterIndex}/writes` : `/nodes/${laterIndex}`;
        checked.problems.push(
          problem(
            path,
            'slot_conflict',
            `${nodeName(checked, checked.indexOf.get(earlier)!)} and ${nodeName(checked, laterIndex)} both write slot '${slot}' but neither is upstream of the other, so a node after both could see either; connect them or give one a different "writes"`,
          ),
        );
      }
    });
  }
}

function checkReviewTargets(checked: Checked): void {
  checked.pipeline.nodes.forEach((node, index) => {
    if (node.type !== 'review') return;
    const target = node.config?.target;
    if (typeof target !== 'string') return; // a missing or mistyped target is the config schema's to report
    const path = `/nodes/${index}/config/target`;
    const name = nodeName(checked, index);
    if (!checked.nodeIds.has(target)) {
      checked.problems.push(problem(path, 'review_target', `${name} targets '${target}', which is not a node${didYouMean(target, checked.nodeIds)}`));
      return;
    }
    const targetIndex = checked.indexOf.get(target)!;
    if (!checked.ancestors(node.id).has(target)) {
      checked.problems.push(
        problem(path, 'review_target', `${name} targets ${nodeName(checked, targetIndex)}, which is not upstream of it; connect '${target}' → … → '${node.id}'`),
      );
      return;
    }
    const targetType = checked.types[targetIndex];
    if (targetType && (!targetType.usesModel || slotWrittenBy(checked.pipeline.nodes[targetIndex]) === undefined || targetType.type === 'review')) {
      checked.problems.push(problem(path, 'review_target', `${name} targets ${nodeName(checked, targetIndex)}, which cannot rewrite its output; target a writing node`));
    }
  });
}

// ——— helpers ———

function forEachString(value: unknown, path: PropertyKey[], visit: (text: string, path: PropertyKey[]) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => forEachString(item, [...path, index], visit));
  else if (isRecord(value)) for (const [key, field] of Object.entries(value)) forEachString(field, [...path, key], visit);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  return JSON.stringify(value);
}
