// Shared by the server benchmark and its engine-alone baseline: the workload and the statistics.
'use strict';
const fs = require('node:fs');
const { exampleScreenplay } = require('../../test/support/example-screenplay.js');

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const LATENCY_MS = 50;

/** The example screenplay pipeline (no approval, so runs go straight through), 50 ms per offline call. */
function screenplayPipeline() {
  return exampleScreenplay({
    id: 'bench-screenplay',
    name: 'Bench screenplay',
    approval: false,
    model: { provider: 'offline', latencyMs: LATENCY_MS },
  });
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
