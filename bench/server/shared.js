// Shared by the server benchmark and its engine-alone baseline: the workload and the statistics.
'use strict';
const fs = require('node:fs');

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const LATENCY_MS = 50;

/** The screenplay pipeline of SPEC §2 (no approval, so runs go straight through), 50 ms per offline call. */
function screenplayPipeline() {
  return {
    format: 'storyloom/pipeline@1',
    id: 'bench-screenplay',
    name: 'Bench screenplay',
    inputs: { premise: { type: 'string', required: true }, scenes: { type: 'number', default: 6 } },
    model: { provider: 'offline', latencyMs: LATENCY_MS },
    nodes: [
      { id: 'logline', type: 'logline' },
      { id: 'cast', type: 'characters', config: { count: 4 } },
      { id: 'beats', type: 'outline', config: { scenes: '{{inputs.scenes}}' } },
      { id: 'lines', type: 'dialogue', config: { concurrency: 4 } },
      { id: 'notes', type: 'review', config: { target: 'lines', threshold: 7, maxRevisions: 1 } },
      { id: 'script', type: 'export', config: { format: 'fountain' } },
    ],
    edges: [
      { source: 'logline', target: 'cast' },
      { source: 'logline', target: 'beats' },
      { source: 'cast', target: 'beats' },
      { source: 'beats', target: 'lines' },
      { source: 'cast', target: 'lines' },
      { source: 'lines', target: 'notes' },
      { source: 'notes', target: 'script' },
    ],
  };
}

const premiseOf = (index) => `Run ${index}: a lighthouse keeper finds a message in a bottle addressed to her, dated tomorrow.`;

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Peak resident set size of a process (Linux VmHWM), in MB. */
function peakRssMb(pid = process.pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Node executions = nodes that ran to completion (review revisions count once per node). */
const completedNodeCount = (run) => Object.values(run.nodes).filter((node) => node.status === 'completed').length;

module.exports = { RUNS, LATENCY_MS, screenplayPipeline, premiseOf, percentile, peakRssMb, completedNodeCount };
