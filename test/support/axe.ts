// axe-core injected into a Chromium page through playwright-core (the page's context needs `bypassCSP`, since
// the editor's content security policy refuses inline scripts): its serious and critical violations.
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './browser';

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js', { paths: [REPO_ROOT] }), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (rule id and the first offending node). */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, target: v.nodes[0]?.target?.join(' '), html: v.nodes[0]?.html?.slice(0, 120) }));
  });
  return violations.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id} (${v.impact}) at ${v.target}: ${v.html}`);
}
