// Slot checks: what each node reads and references is written upstream, writers do not race, review targets.
import { nodeCapabilities, nodeTypes } from '../nodes/catalogue';
import { capabilitiesOf, type NodeType, type SlotRead } from '../nodes/types';
import type { ProblemFix } from '../errors';
import { problem } from './codes';
import { nodeName, nodeTitle, type Checked } from './check-context';
import { forEachString } from './json';
import { toPointer } from './pointer';
import { slotWrittenBy } from './slots';
import { didYouMean } from './suggest';
import { parseReferences } from './templates';
import { indefiniteArticle } from '../story/text';

export function checkTemplates(checked: Checked): Map<number, Set<string>> {
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
          const writer = writerOf(checked, index, [reference.name]);
          checked.problems.push(
            problem(
              pointer,
              'unknown_template_ref',
              `${nodeName(checked, index)} template references {{${reference.expression}}} but no upstream node writes slot '${reference.name}'${slotHint(checked, index, [reference.name], visible, writer)}`,
              connectFix(checked, index, writer),
            ),
          );
        }
      }
    });
    reported.set(index, seenHere);
  });
  return reported;
}

export function checkReads(checked: Checked, reported: Map<number, Set<string>>): void {
  checked.pipeline.nodes.forEach((node, index) => {
    const type = checked.types[index];
    if (!type) return;
    const reads = readsOf(type, checked.configs[index] ?? node.config ?? {});
    const visible = checked.visible(node.id);
    for (const read of reads) {
      const options = [read.slot, ...(read.alternatives ?? [])];
      if (read.optional || options.some((slot) => visible.has(slot) || reported.get(index)?.has(slot))) continue;
      const writer = writerOf(checked, index, options);
      checked.problems.push(problem(`/nodes/${index}`, 'missing_slot', missingSlotMessage(checked, index, options, visible, writer), connectFix(checked, index, writer)));
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

/** Another node that writes one of the slots a node lacks: what its problem's message names and its fix connects. */
interface SlotWriter {
  id: string;
  slot: string;
}

/** The first of `slots` (in the order given) that another node writes, with that node. */
function writerOf(checked: Checked, index: number, slots: string[]): SlotWriter | undefined {
  const self = checked.pipeline.nodes[index].id;
  for (const slot of slots) {
    const writer = [...checked.writes].find(([id, written]) => written === slot && id !== self);
    if (writer) return { id: writer[0], slot };
  }
  return undefined;
}

/**
 * The edge that gives a node what it lacks, when one node already writes it and connecting it would not close a
 * loop (a writer downstream of the node cannot also come before it).
 */
function connectFix(checked: Checked, index: number, writer: SlotWriter | undefined): ProblemFix | undefined {
  const target = checked.pipeline.nodes[index].id;
  if (!writer || !checked.nodeIds.has(target) || checked.ancestors(writer.id).has(target)) return undefined;
  return { kind: 'connect', source: writer.id, target };
}

/**
 * What is missing before a node, in a producer's words, with the fix: connect the node that already writes
 * it ("Dialogue 'Lines' needs the characters Characters 'Cast' writes — connect it before 'Lines'"), add a
 * node of the type that would ("… needs a Characters node before it — connect one"), or fix a typo.
 */
function missingSlotMessage(checked: Checked, index: number, slots: string[], visible: Map<string, string>, writer: SlotWriter | undefined): string {
  const self = nodeTitle(checked, index);
  const selfName = checked.pipeline.nodes[index].label || checked.pipeline.nodes[index].id;
  if (writer) return `${self} needs the ${writer.slot} that ${nodeTitle(checked, checked.indexOf.get(writer.id)!)} writes — connect it before '${selfName}'`;
  const types = slots.map((slot) => nodeTypes.find((candidate) => candidate.writes === slot)).filter((type): type is NodeType => type !== undefined);
  if (types.length > 0) {
    const titles = types.map((type) => type.title).join(' or ');
    return `${self} needs ${indefiniteArticle(titles)} ${titles} node before it — connect one`;
  }
  const typo = didYouMean(slots[0], visible.keys());
  return `${self} needs slot '${slots[0]}' written before it, but nothing upstream writes it${typo}`;
}

/** How to get a slot a template references upstream: connect its writer, add a type that writes it, or fix a typo. */
function slotHint(checked: Checked, index: number, slots: string[], visible: Map<string, string>, writer: SlotWriter | undefined): string {
  const self = checked.pipeline.nodes[index].id;
  if (writer) return `; ${nodeName(checked, checked.indexOf.get(writer.id)!)} writes it: connect it upstream of '${self}'`;
  const typo = didYouMean(slots[0], visible.keys());
  if (typo) return typo;
  const type = nodeTypes.find((candidate) => slots.includes(candidate.writes ?? ''));
  return type ? `; add ${indefiniteArticle(type.type)} '${type.type}' node upstream of '${self}'` : '';
}

/** Writers named in a slot_conflict message before "… and N more". */
const LISTED_WRITERS = 5;

/**
 * One problem per slot (not per pair: 3000 unrelated writers would make millions), naming the writers that
 * are not upstream or downstream of some other writer of the slot.
 */
export function checkSlotConflicts(checked: Checked): void {
  const bySlot = new Map<string, string[]>();
  for (const [id, slot] of checked.writes) {
    const writers = bySlot.get(slot);
    if (writers) writers.push(id);
    else bySlot.set(slot, [id]);
  }
  const related = (a: string, b: string) => checked.ancestors(a).has(b) || checked.ancestors(b).has(a);
  for (const [slot, writers] of bySlot) {
    // Stops at the first unrelated writer found, so many unrelated writers cost O(n), not O(n²).
    const conflicting = writers.filter((writer) => writers.some((other) => other !== writer && !related(writer, other)));
    if (conflicting.length === 0) continue;
    const indexes = conflicting.map((id) => checked.indexOf.get(id)!);
    const reportedAt = indexes[1];
    const path = checked.pipeline.nodes[reportedAt].writes !== undefined ? `/nodes/${reportedAt}/writes` : `/nodes/${reportedAt}`;
    const message =
      conflicting.length === 2
        ? `${nodeTitle(checked, indexes[0])} and ${nodeTitle(checked, indexes[1])} both write the ${slot} and neither comes before the other, so a later stage could read either — connect one before the other, or give one a different "writes" slot`
        : `${conflicting.length} stages write the ${slot} without coming one after another: ${listNames(checked, indexes)} — connect them in a chain, or give them different "writes" slots`;
    checked.problems.push(problem(path, 'slot_conflict', message));
  }
}

/** `a, b, c, d, e and 2995 more` */
function listNames(checked: Checked, indexes: number[]): string {
  const names = indexes.slice(0, LISTED_WRITERS).map((index) => nodeTitle(checked, index));
  const more = indexes.length - names.length;
  return more > 0 ? `${names.join(', ')} and ${more} more` : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function checkReviewTargets(checked: Checked): void {
  checked.pipeline.nodes.forEach((node, index) => {
    if (!nodeCapabilities(node.type)?.revisesTarget) return;
    const target = node.config?.target;
    if (typeof target !== 'string') return; // a missing or mistyped target is the config schema's to report
    const path = `/nodes/${index}/config/target`;
    const name = nodeTitle(checked, index);
    if (!checked.nodeIds.has(target)) {
      checked.problems.push(problem(path, 'review_target', `${name} reviews '${target}', which is not a node of this pipeline${didYouMean(target, checked.nodeIds)} — pick the stage to review`));
      return;
    }
    const targetIndex = checked.indexOf.get(target)!;
    if (!checked.ancestors(node.id).has(target)) {
      checked.problems.push(
        problem(path, 'review_target', `${name} reviews ${nodeTitle(checked, targetIndex)}, which does not come before it — connect '${target}' → … → '${node.id}'`),
      );
      return;
    }
    const targetType = checked.types[targetIndex];
    if (targetType && (!targetType.usesModel || slotWrittenBy(checked.pipeline.nodes[targetIndex]) === undefined || capabilitiesOf(targetType).revisesTarget)) {
      checked.problems.push(problem(path, 'review_target', `${name} reviews ${nodeTitle(checked, targetIndex)}, which cannot rewrite what it wrote — review a writing stage (Dialogue, Prose or a Prompt)`));
    }
  });
}
