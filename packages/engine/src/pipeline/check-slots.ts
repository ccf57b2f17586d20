// Slot checks: what each node reads and references is written upstream, writers do not race, review targets.
import { nodeTypes } from '../nodes/catalogue';
import type { NodeType, SlotRead } from '../nodes/types';
import { problem } from './codes';
import { nodeName, type Checked } from './check-context';
import { forEachString } from './json';
import { toPointer } from './pointer';
import { slotWrittenBy } from './slots';
import { didYouMean } from './suggest';
import { parseReferences } from './templates';

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

export function checkReads(checked: Checked, reported: Map<number, Set<string>>): void {
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

export function checkSlotConflicts(checked: Checked): void {
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

export function checkReviewTargets(checked: Checked): void {
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
