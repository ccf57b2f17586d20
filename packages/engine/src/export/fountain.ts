// Fountain (fountain.io): title page, scene headings, action, cues, parentheticals, dialogue, transitions.
// Anything that Fountain would misread (an all-capitals action line, a heading without INT./EXT.) is forced.
import { hasStandardHeading } from '../story/screenplay';
import type { ScreenplayElement } from '../story/types';
import { PLACEHOLDER_NOTICE, type ScreenplayScene, type StoryDocument, today } from './document';

function titlePage(document: StoryDocument, date: string): string {
  const lines = [`Title: ${oneLine(document.title)}`, 'Credit: Written by', 'Author: Storyloom', `Draft date: ${date}`];
  const notes = [...(document.placeholder ? [PLACEHOLDER_NOTICE] : []), ...(document.logline ? [oneLine(document.logline.logline)] : [])];
  if (notes.length > 0) lines.push(`Notes: ${notes.join(' ')}`);
  return lines.join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function heading(text: string): string {
  const line = oneLine(text);
  return hasStandardHeading(line) ? line.toUpperCase() : `.${line.toUpperCase()}`;
}

/** Action that Fountain would take for something else gets the `!` that forces action. */
function action(text: string): string {
  const paragraph = text.trim();
  const looksSpecial =
    paragraph === paragraph.toUpperCase() && /\p{Lu}/u.test(paragraph) ||
    /^(int|ext|est|i\/e)[. /]/i.test(paragraph) ||
    /^[.>~=#@!\[]/.test(paragraph) ||
    /TO:$/.test(paragraph);
  return looksSpecial ? `!${paragraph}` : paragraph;
}

function cue(name: string): string {
  const upper = oneLine(name).toUpperCase();
  // Cues Fountain would not recognise on their own (digits first, no letters) are forced with `@`.
  return /^[A-Z][^a-z()^]*$/.test(upper) ? upper : `@${upper}`;
}

function element(item: ScreenplayElement): string {
  switch (item.type) {
    case 'action':
      return action(item.text);
    case 'transition': {
      const text = oneLine(item.text).toUpperCase();
      return /TO:$/.test(text) ? text : `> ${text}`;
    }
    case 'line': {
      const spoken = item.text.trim() ? item.text.trim().split(/\s*\n\s*/).join('\n') : '...';
      return [cue(item.character), item.parenthetical ? `(${oneLine(item.parenthetical).replace(/^\(|\)$/g, '')})` : '', spoken]
        .filter(Boolean)
        .join('\n');
    }
  }
}

export function renderFountain(document: StoryDocument, scenes: ScreenplayScene[], date = today()): string {
  const blocks = [titlePage(document, date)];
  for (const scene of scenes) {
    blocks.push(heading(scene.heading));
    for (const item of scene.elements) blocks.push(element(item));
  }
  return `${blocks.join('\n\n')}\n`;
}
