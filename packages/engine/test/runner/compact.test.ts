// The graph state holds references, not text: LangGraph checkpoints stay small however much is written, so
// the database grows with the text written, not with steps × text.
import Database from 'better-sqlite3';
import { tempEngines, type TempEngines } from './support/helpers';
import { PREMISE, screenplayPipeline } from './support/screenplay';

describe('runner: compact database', () => {
  let temp: TempEngines;
  beforeEach(() => (temp = tempEngines()));
  afterEach(() => temp.cleanup());

  it('keeps output text out of checkpoints', async () => {
    const engine = await temp.open();
    const sizes: Array<{ outputs: number; checkpoints: number }> = [];
    for (const scenes of [2, 8]) {
      // An approval on the last node keeps the run (and its checkpoints) alive after all the text is written.
      const pipeline = screenplayPipeline({ scenes });
      pipeline.nodes.find((node) => node.id === 'script')!.approval = true;
      const run = await engine.startRun({ pipeline, inputs: { premise: PREMISE } });
      expect((await engine.drive(run.id)).status).toBe('waiting');
      const db = new Database(temp.dbPath, { readonly: true });
      const outputs = (db.prepare('SELECT SUM(LENGTH(output)) AS n FROM node_outputs WHERE run_id = ?').get(run.id) as { n: number }).n;
      const checkpoints = (
        db.prepare('SELECT SUM(LENGTH(checkpoint)) + SUM(LENGTH(metadata)) AS n FROM checkpoints WHERE thread_id = ?').get(run.id) as { n: number }
      ).n;
      const writes = (db.prepare('SELECT COALESCE(SUM(LENGTH(value)), 0) AS n FROM writes WHERE thread_id = ?').get(run.id) as { n: number }).n;
      const dialogue = JSON.stringify((await engine.getRun(run.id))!.nodes.lines.output).slice(40, 120);
      const leaked = db.prepare('SELECT COUNT(*) AS n FROM checkpoints WHERE thread_id = ? AND INSTR(CAST(checkpoint AS TEXT), ?) > 0').get(run.id, dialogue) as { n: number };
      db.close();
      expect(leaked.n).toBe(0);
      expect(checkpoints).toBeGreaterThan(0);
      sizes.push({ outputs, checkpoints: checkpoints + writes });

      // Once completed, a run's checkpoints are dropped: it is never resumed, reruns start from the tables.
      await engine.decide(run.id, 'script', { decision: 'approve' });
      expect((await engine.drive(run.id)).status).toBe('completed');
      const after = new Database(temp.dbPath, { readonly: true });
      expect((after.prepare('SELECT COUNT(*) AS n FROM checkpoints WHERE thread_id = ?').get(run.id) as { n: number }).n).toBe(0);
      after.close();
    }
    // Four times the scenes: much more text, the same number of graph steps and the same checkpoint size.
    expect(sizes[1].outputs).toBeGreaterThan(sizes[0].outputs * 2);
    expect(sizes[1].checkpoints).toBeLessThan(sizes[0].checkpoints * 1.3);
  });
});
