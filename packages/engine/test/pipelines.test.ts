// Every pipeline shipped in pipelines/ is valid, laid out for the editor, and documented for the person running it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStoryloom } from '../src/node';
import { topologicalOrder } from '../src/pipeline/graph';
import { formatProblems, validatePipeline } from '../src/pipeline/validate';

const folder = join(__dirname, '..', '..', '..', 'pipelines');
const files = readdirSync(folder).filter((file) => file.endsWith('.json')).sort();

describe('shipped pipelines', () => {
  it('include the screenplay, the short story and the approvals pipeline', async () => {
    expect(files).toEqual(expect.arrayContaining(['short-screenplay.json', 'short-story.json', 'screenplay-with-approvals.json']));
  });

  describe.each(files)('%s', (file) => {
    const document = JSON.parse(readFileSync(join(folder, file), 'utf8'));

    it('is valid, and its id is its file name', async () => {
      const result = validatePipeline(document);
      if (!result.valid) throw new Error(`${file}:\n${formatProblems(result.errors)}`);
      expect(document.id).toBe(file.replace(/\.json$/, ''));
    });

    it('runs with only its required inputs given as CLI strings', async () => {
      const required = Object.entries(document.inputs ?? {}).filter(([, definition]) => (definition as { required?: boolean }).required);
      const inputs = Object.fromEntries(required.map(([name]) => [name, 'A lighthouse keeper finds a letter addressed to her future self.']));
      expect(validatePipeline(document, { inputs }).errors).toEqual([]);
      if (required.length > 0) expect(validatePipeline(document, { inputs: {} }).errors.map((e) => e.code)).toContain('missing_input');
    });

    it('describes itself and its inputs', async () => {
      expect(document.description.length).toBeGreaterThan(40);
      for (const definition of Object.values(document.inputs ?? {})) expect((definition as { description?: string }).description).toBeTruthy();
    });

    it('reads left to right, wrapping onto a lower row: every node has a position, every edge goes right or down to the next row, no two nodes overlap', async () => {
      const position = new Map<string, { x: number; y: number }>(document.nodes.map((node: { id: string; position: { x: number; y: number } }) => [node.id, node.position]));
      for (const at of position.values()) expect(at).toEqual({ x: expect.any(Number), y: expect.any(Number) });
      // Long pipelines are laid out in two rows so the editor opens them readable (not shrunk to one long line):
      // an edge either goes right, or wraps back to a row clearly below (the editor draws it stepped).
      const ROW_GAP = 150;
      for (const edge of document.edges) {
        const [from, to] = [position.get(edge.source)!, position.get(edge.target)!];
        expect(to.x > from.x || to.y >= from.y + ROW_GAP).toBe(true);
      }
      // The editor's cards are 200 px wide and under 120 px high.
      const boxes = [...position.values()];
      for (const [i, a] of boxes.entries()) for (const b of boxes.slice(i + 1)) expect(Math.abs(a.x - b.x) >= 200 || Math.abs(a.y - b.y) >= 110).toBe(true);
      const spots = [...position.values()].map((at) => `${at.x},${at.y}`);
      expect(new Set(spots).size).toBe(spots.length);
      expect(topologicalOrder(document)).toHaveLength(document.nodes.length);
    });
  });

  it('the approvals pipeline has parallel approval gates on its planning stages', async () => {
    const document = JSON.parse(readFileSync(join(folder, 'screenplay-with-approvals.json'), 'utf8'));
    const gated = document.nodes.filter((node: { approval?: boolean }) => node.approval).map((node: { type: string }) => node.type);
    expect(gated).toEqual(expect.arrayContaining(['characters', 'setting', 'outline']));
    const cast = document.nodes.find((node: { type: string }) => node.type === 'characters').id;
    const world = document.nodes.find((node: { type: string }) => node.type === 'setting').id;
    const connected = document.edges.some((edge: { source: string; target: string }) => [edge.source, edge.target].sort().join() === [cast, world].sort().join());
    expect(connected).toBe(false);
  });

  it.each(files)('%s runs to completion on the offline model (approvals auto-approved)', async (file) => {
    const folderForDb = mkdtempSync(join(tmpdir(), 'storyloom-shipped-'));
    const storyloom = await openStoryloom({ dbPath: join(folderForDb, 'storyloom.db') });
    try {
      const pipeline = JSON.parse(readFileSync(join(folder, file), 'utf8'));
      const started = await storyloom.startRun({ pipeline, inputs: { premise: 'A lighthouse keeper finds a letter addressed to her future self.' }, autoApprove: true });
      const run = await storyloom.drive(started.id);
      expect(run.error).toBeUndefined();
      expect(run.status).toBe('completed');
      for (const node of pipeline.nodes) expect([node.id, run.nodes[node.id]?.status]).toEqual([node.id, 'completed']);
    } finally {
      await storyloom.close();
      rmSync(folderForDb, { recursive: true, force: true });
    }
  });
});
