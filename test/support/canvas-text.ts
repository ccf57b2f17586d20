// Text on the canvas as it shows on screen: a node's font size times the canvas zoom. Browser tests use it to
// check that node text reads at no less than a given size at the zoom the editor chose.
import type { Page } from 'playwright-core';

/** The visible canvas text shown smaller than `smallest` px, each as `class size "text"`. */
export function canvasTextUnder(page: Page, smallest: number): Promise<string[]> {
  return page.evaluate((least) => {
    const zoom = new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform).a;
    const small: string[] = [];
    for (const element of Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node *'))) {
      const own = Array.from(element.childNodes).some((child) => child.nodeType === Node.TEXT_NODE && child.textContent!.trim() !== '');
      if (!own || element.getClientRects().length === 0 || getComputedStyle(element).visibility === 'hidden') continue;
      const shown = parseFloat(getComputedStyle(element).fontSize) * zoom;
      if (shown < least) small.push(`${element.className || element.tagName.toLowerCase()} ${shown.toFixed(1)}px "${element.textContent!.trim().slice(0, 24)}"`);
    }
    return small;
  }, smallest);
}
