// Exporting a stored run as a PDF: the title page marks text the offline model wrote as a placeholder and
// leaves a real model's run unmarked; page options are checked before anything is rendered.
import { isStoryloomError } from '../../src/errors';
import { readPdf } from '../../../../test/support/pdf';
import { stubbedEngines } from './support/helpers';
import { PREMISE, screenplayPipeline } from './support/screenplay';

const NOTICE = /PLACEHOLDER: written by the offline writer/;

async function titlePageOf(content: string | Uint8Array): Promise<string> {
  expect(content).toBeInstanceOf(Uint8Array);
  const pdf = await readPdf(content as Uint8Array);
  return pdf.pages[0].items.map((item) => item.text).join(' ');
}

describe('runner: exporting a run as a PDF', () => {
  const harness = stubbedEngines({ latencyMs: 0, tokenDelayMs: 0 });

  it('marks an offline run as placeholder text, and not a run a real model wrote', async () => {
    const engine = await harness.temp.open({ env: { OPENAI_BASE_URL: harness.stub.url } });
    const offline = await engine.startRun({ pipeline: screenplayPipeline(), inputs: { premise: PREMISE } });
    expect((await engine.drive(offline.id)).status).toBe('completed');
    const offlinePdf = await engine.exportRun(offline.id, 'pdf');
    expect(offlinePdf).toMatchObject({ format: 'pdf', mediaType: 'application/pdf', filename: expect.stringMatching(/\.pdf$/) });
    expect(await titlePageOf(offlinePdf.content)).toMatch(NOTICE);

    const real = await engine.startRun({ pipeline: screenplayPipeline(), inputs: { premise: PREMISE }, model: 'openai:stub-model' });
    expect((await engine.drive(real.id)).status).toBe('completed');
    expect(harness.stub.requests.length).toBeGreaterThan(0);
    const realTitle = await titlePageOf((await engine.exportRun(real.id, 'pdf')).content);
    expect(realTitle).toContain('Written by');
    expect(realTitle).not.toMatch(NOTICE);
  });

  it('refuses a bad option as invalid input, and a run without scenes as a conflict', async () => {
    const engine = await harness.temp.open();
    const run = await engine.startRun({ pipeline: screenplayPipeline({ approval: true }), inputs: { premise: PREMISE } });
    expect((await engine.drive(run.id)).status).toBe('waiting');
    const badPaper = await engine.exportRun(run.id, 'pdf', { paper: 'legal' as never }).catch((e: unknown) => e);
    expect(isStoryloomError(badPaper, 'invalid_input')).toBe(true);
    const early = await engine.exportRun(run.id, 'pdf').catch((e: unknown) => e);
    expect(isStoryloomError(early, 'conflict')).toBe(true);
    expect((early as Error).message).toMatch(/cannot be exported as pdf yet: nothing to export as pdf/);
  });
});
