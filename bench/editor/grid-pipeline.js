'use strict';

/** A valid pipeline of `count` prompt nodes in layers of ten, each reading one or two nodes of the layer before. */
function gridPipeline(id, count) {
  const width = 10;
  const nodes = [];
  const edges = [];
  for (let i = 0; i < count; i++) {
    const layer = Math.floor(i / width);
    const parents = layer === 0 ? [] : [i - width, (i % width) + 1 < width ? i - width + 1 : undefined].filter((p) => p !== undefined && p >= 0);
    nodes.push({
      id: `n${i}`,
      type: 'prompt',
      writes: `s${i}`,
      position: { x: layer * 280, y: (i % width) * 130 },
      config: { template: parents.length ? `Continue from ${parents.map((p) => `{{s${p}}}`).join(' and ')}.` : 'Open on {{inputs.premise}}.' },
    });
    for (const p of parents) edges.push({ source: `n${p}`, target: `n${i}` });
  }
  return {
    format: 'storyloom/pipeline@1',
    id,
    name: `Bench ${count} nodes`,
    inputs: { premise: { type: 'string', required: true } },
    model: 'offline',
    nodes,
    edges,
  };
}

module.exports = { gridPipeline };
