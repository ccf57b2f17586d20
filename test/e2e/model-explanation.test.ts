// The editor's model pickers say which model a run will use and why, by the engine's own rule with the server's
// STORYLOOM_MODEL: a shipped pipeline (it names no model) on a server with STORYLOOM_MODEL set runs on that
// model; choosing one for the run says the run's choice wins; the inspector says what the node runs on; a new
// pipeline names no model either, so it too runs on STORYLOOM_MODEL.
import { saveScreenshot } from '../support/browser';
import { editorSuite } from '../support/editor-suite';

const editor = editorSuite({ serverEnv: () => ({ STORYLOOM_MODEL: 'openai:gpt-4o-mini', OPENAI_API_KEY: 'sk-test-not-used' }) });

test('the Run tab and the inspector explain the model: STORYLOOM_MODEL, and the run’s choice winning', async () => {
  const { page, pageErrors: errors } = editor;
  try {
    await page.goto(`${editor.server.url}/?pipeline=short-screenplay`);
    await page.getByTestId('tab-run').click();
    const explanation = page.getByTestId('model-explanation').first();
    await explanation.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="model-explanation"]')?.getAttribute('data-source') === 'environment');
    expect(await explanation.textContent()).toBe(
      'Runs on openai:gpt-4o-mini, from STORYLOOM_MODEL (neither the run, the node nor the pipeline names a model)',
    );

    await page.getByTestId('model-provider').first().selectOption('offline');
    expect(await explanation.getAttribute('data-source')).toBe('run');
    expect(await explanation.textContent()).toBe('Runs on offline, chosen for this run (the model chosen here)');
    await saveScreenshot(page, 'model-explanation-run');

    // A node's own model, in the inspector.
    await page.locator('.react-flow__node[data-id="lines"]').click();
    await page.getByTestId('tab-inspector').click();
    const nodeExplanation = page.locator('[data-testid="model-explanation"]').filter({ hasText: 'This node runs on' });
    await nodeExplanation.waitFor();
    expect(await nodeExplanation.textContent()).toMatch(/^This node runs on openai:gpt-4o-mini, from STORYLOOM_MODEL/);

    // A new pipeline: its default model is the server's, not a pinned offline writer.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('new-pipeline').click();
    await page.getByTestId('tab-pipeline').click();
    const pipelineExplanation = page.getByTestId('model-explanation').first();
    await page.waitForFunction(() => document.querySelector('[data-testid="model-explanation"]')?.getAttribute('data-source') === 'environment');
    expect(await pipelineExplanation.textContent()).toBe(
      'Runs on openai:gpt-4o-mini, from STORYLOOM_MODEL (neither the run, the node nor the pipeline names a model)',
    );
    expect(await page.getByTestId('model-provider').first().inputValue()).toBe('');
    await saveScreenshot(page, 'model-explanation-new-pipeline');
    expect(errors).toEqual([]);
  } catch (error) {
    await saveScreenshot(page, 'model-explanation-failure');
    throw error;
  }
}, 120_000);
