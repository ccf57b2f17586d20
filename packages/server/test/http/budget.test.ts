// Budgets and cost over real HTTP: a run started with a budget waits at a `budget` approval before the node that
// would pass it, goes on once approved with a raised budget, and its pipeline's spending per day adds up.
import type { BudgetCheck, PipelineCost, RunView } from '@storyloom/engine/node';
import { isStatus, PREMISE, screenplayPipeline, startTestServer, type TestServer, waitForRun } from './support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'budgeted' }));
  await server.call('POST', '/api/pipelines', screenplayPipeline({ id: 'unbudgeted' }));
});
afterAll(() => server.stop());

const start = async (body: Record<string, unknown>) => {
  const answer = await server.call('POST', '/api/runs', body);
  expect(answer.status).toBe(202);
  return answer.body.id as string;
};

test('a run pauses at its budget and goes on after a raised budget is approved; the pipeline’s cost per day adds up', async () => {
  const id = await start({ pipelineId: 'budgeted', inputs: { premise: PREMISE }, budget: { maxTokens: 2_500 } });
  const waiting: RunView = await waitForRun(server, id, isStatus('waiting', 'completed', 'failed'));
  expect(waiting.status).toBe('waiting');
  expect(waiting.budget).toEqual({ maxTokens: 2_500 });
  expect(waiting.pending).toHaveLength(1);
  const [pending] = waiting.pending;
  expect(pending.kind).toBe('budget');
  const check = pending.draft as BudgetCheck;
  expect(check.passes).toEqual(['maxTokens']);
  expect(check.spent.totalTokens).toBe(waiting.usage!.totalTokens);
  expect(check.spent.totalTokens + check.estimate.totalTokens).toBeGreaterThan(2_500);
  expect(check.estimate).toMatchObject({ model: 'offline', costUsd: 0 });
  // The node has not run: nothing of it is in the run yet.
  expect(waiting.nodes[pending.nodeId]).toEqual({ status: 'waiting' });
  const inbox = (await server.call('GET', '/api/approvals')).body as Array<Record<string, unknown>>;
  expect(inbox).toEqual([expect.objectContaining({ runId: id, nodeId: pending.nodeId, kind: 'budget', draft: check })]);

  // Only approve or reject; a new budget must be one.
  const edit = await server.call('POST', `/api/runs/${id}/approvals/${pending.nodeId}`, { decision: 'edit', output: {} });
  expect(edit.status).toBe(400);
  expect(edit.body.error.message).toMatch(/waits at the run's budget/);
  const bad = await server.call('POST', `/api/runs/${id}/approvals/${pending.nodeId}`, { decision: 'approve', budget: { maxTokens: 0 } });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body.error)).toContain('maxTokens');
  expect((await server.call('GET', `/api/runs/${id}`)).body.pending).toHaveLength(1); // refused requests changed nothing

  const approved = await server.call('POST', `/api/runs/${id}/approvals/${pending.nodeId}`, { decision: 'approve', budget: { maxTokens: 1_000_000 } });
  expect(approved.status).toBe(200);
  const done: RunView = await waitForRun(server, id, isStatus('completed', 'failed', 'cancelled'));
  expect(done.status).toBe('completed');
  expect(done.budget).toEqual({ maxTokens: 1_000_000 });
  expect(done.nodes[pending.nodeId].status).toBe('completed');
  expect(done.usage!.totalTokens).toBeGreaterThan(2_500);
  expect(done.usage!.totalTokens).toBe(Object.values(done.nodes).reduce((sum, node) => sum + (node.usage?.totalTokens ?? 0), 0));

  const summary = (await server.call('GET', '/api/runs?pipelineId=budgeted&view=summary')).body as RunView[];
  expect(summary[0].usage).toEqual(done.usage);

  const cost = (await server.call('GET', '/api/pipelines/budgeted/cost?days=7')).body as PipelineCost;
  const today = new Date().toISOString().slice(0, 10);
  expect(cost).toMatchObject({ pipelineId: 'budgeted', days: 7, total: { runs: 1, totalTokens: done.usage!.totalTokens, calls: done.usage!.calls, costUsd: 0 } });
  expect(cost.daily).toEqual([expect.objectContaining({ day: today, runs: 1, totalTokens: done.usage!.totalTokens })]);
  expect((await server.call('GET', '/api/pipelines/unbudgeted/cost')).body).toMatchObject({ days: 30, total: { runs: 0, totalTokens: 0 }, daily: [] });
  for (const days of ['0', '400', 'week']) {
    const refused = await server.call('GET', `/api/pipelines/budgeted/cost?days=${days}`);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.error.details)).toContain('days');
  }
}, 60_000);

test('rejecting at the budget cancels the run, resuming asks again; a bad budget is refused before any run starts', async () => {
  const before = (await server.call('GET', '/api/runs?pipelineId=unbudgeted')).body.length;
  const refused = await server.call('POST', '/api/runs', { pipelineId: 'unbudgeted', inputs: { premise: PREMISE }, budget: { maxCostUsd: -1 } });
  expect(refused.status).toBe(400);
  expect(JSON.stringify(refused.body.error)).toContain('maxCostUsd');
  const empty = await server.call('POST', '/api/runs', { pipelineId: 'unbudgeted', inputs: { premise: PREMISE }, budget: {} });
  expect(empty.status).toBe(400);
  expect(JSON.stringify(empty.body.error)).toContain('a budget needs maxTokens, maxCostUsd or both');
  expect((await server.call('GET', '/api/runs?pipelineId=unbudgeted')).body.length).toBe(before);

  const id = await start({ pipelineId: 'unbudgeted', inputs: { premise: PREMISE }, budget: { maxTokens: 100 } });
  const waiting: RunView = await waitForRun(server, id, isStatus('waiting', 'completed', 'failed'));
  expect(waiting.pending).toEqual([expect.objectContaining({ nodeId: 'logline', kind: 'budget' })]);
  expect((await server.call('POST', `/api/runs/${id}/approvals/logline`, { decision: 'reject' })).status).toBe(200);
  const cancelled: RunView = await waitForRun(server, id, isStatus('cancelled', 'completed', 'failed'));
  expect(cancelled.status).toBe('cancelled');
  expect(cancelled.error).toBe("cancelled at its budget before 'logline'");
  expect(Object.values(cancelled.nodes).every((node) => node.status === 'skipped')).toBe(true);
  expect(cancelled.usage).toBeUndefined();

  // Resumed, it asks again at the same node (the refusal does not stand), and goes on once a person approves.
  expect((await server.call('POST', `/api/runs/${id}/resume`)).status).toBe(202);
  const askedAgain: RunView = await waitForRun(server, id, isStatus('waiting', 'completed', 'failed', 'cancelled'));
  expect([askedAgain.status, askedAgain.error]).toEqual(['waiting', undefined]);
  expect(askedAgain.pending).toEqual([expect.objectContaining({ nodeId: 'logline', kind: 'budget' })]);
  expect(askedAgain.pending[0].draft).toMatchObject({ budget: { maxTokens: 100 }, passes: ['maxTokens'] });
  const inbox = (await server.call('GET', '/api/approvals')).body as Array<Record<string, unknown>>;
  expect(inbox).toContainEqual(expect.objectContaining({ runId: id, nodeId: 'logline', kind: 'budget' }));
  expect((await server.call('POST', `/api/runs/${id}/approvals/logline`, { decision: 'approve', budget: { maxTokens: 1_000_000 } })).status).toBe(200);
  const done: RunView = await waitForRun(server, id, isStatus('completed', 'failed', 'cancelled'));
  expect([done.status, done.error]).toEqual(['completed', undefined]);
  expect(done.nodes.logline.status).toBe('completed');
}, 60_000);
