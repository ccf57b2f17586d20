// The editor's model pickers say which model a run will use and why, by the engine's own rule with the server's
// STORYLOOM_MODEL: a shipped pipeline (it names no model) on a server with STORYLOOM_MODEL set runs on that
// model; choosing one for the run says the run's choice wins; the inspector says what the node runs on.
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
    expect(errors).toEqual([]);
  } catch (error) {
    await saveScreenshot(page, 'model-explanation-failure');
    throw error;
  }
}, 120_000);
