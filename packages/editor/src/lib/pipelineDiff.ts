// Two versions of a pipeline compared the way a producer thinks of them: nodes added, removed or changed
// (type, label, approval, model, config), connections added or removed, and the pipeline's own settings.
import type { Pipeline } from '@storyloom/engine';
import { compareKeyed, type Keyed, type StoryDiff } from './storyDiff';

const json = (value: unknown) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

function keyedPipeline(pipeline: Pipeline): Keyed[] {
  const { nodes, edges, ...settings } = pipeline;
  const nodeItems: Keyed[] = nodes.map((node) => ({
    key: `node:${node.id}`,
    title: `Node ${node.label ? `'${node.label}' (${node.id})` : node.id}`,
    fields: {
      type: node.type,
      label: node.label ?? '',
      approval: node.approval ? 'yes' : 'no',
      model: json(node.model),
      writes: node.writes ?? '',
      ...Object.fromEntries(Object.entries(node.config ?? {}).map(([key, value]) => [`config.${key}`, json(value)])),
    },
  }));
  const edgeItems: Keyed[] = edges.map((edge) => ({ key: `edge:${edge.source}->${edge.target}`, title: `Connection ${edge.source} → ${edge.target}`, fields: {} }));
  const settingItem: Keyed = {
    key: 'settings',
    title: 'Pipeline settings',
    fields: Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, json(value)])),
  };
  return [settingItem, ...nodeItems, ...edgeItems];
}

export function pipelineDiff(before: Pipeline, after: Pipeline): StoryDiff {
  const diff = compareKeyed(keyedPipeline(before), keyedPipeline(after), 'part');
  // Position moves are not changes a producer cares about here; unchanged fields are dropped from view.
  return diff;
}
