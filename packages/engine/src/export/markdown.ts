// Markdown for reading: the screenplay or the prose, with the plan (logline, cast, setting, outline) first.
import type { ScreenplayElement } from '../story/types';
import { PLACEHOLDER_NOTICE, type ScreenplayScene, type StoryDocument } from './document';

function plan(document: StoryDocument): string[] {
  const blocks = [`# ${document.title}`, ...(document.placeholder ? [`> **${PLACEHOLDER_NOTICE}**`] : [])];
  if (document.logline) blocks.push(`> ${document.logline.logline}\n\n*${document.logline.genre} — ${document.logline.tone}*`);
  if (document.cast.length > 0) {
    blocks.push(`## Characters\n\n${document.cast.map((c) => `- **${c.name}** (${c.role}; ${c.pronouns}; ${c.age}): ${c.description} *Wants:* ${c.want} *Flaw:* ${c.flaw}`).join('\n')}`);
  }
  if (document.setting) {
    blocks.push(`## Setting\n\n${document.setting.world} (${document.setting.period})\n\n${document.setting.locations.map((l) => `- **${l.name}**: ${l.description}`).join('\n')}`);
  }
  return blocks;
}

function outline(document: StoryDocument): string[] {
  if (!document.outline) return [];
  return [`## Outline\n\n${document.outline.acts.map((act) => `### ${act.title}\n\n${act.beats.map((b) => `${b.number}. ${b.summary}`).join('\n')}`).join('\n\n')}`];
}

function element(item: ScreenplayElement): string {
  switch (item.type) {
    case 'action':
      return item.text;
    case 'transition':
      return `*${item.text.toUpperCase()}*`;
    case 'line':
      return [`**${item.character.toUpperCase()}**`, item.parenthetical ? `*(${item.parenthetical.replace(/^\(|\)$/g, '')})*` : '', item.text]
        .filter(Boolean)
        .join('  \n');
  }
}

export function renderMarkdown(document: StoryDocument, screenplay: ScreenplayScene[] | undefined): string {
  const blocks = plan(document);
  if (document.dialogue && screenplay) {
    blocks.push('## Screenplay');
    screenplay.forEach((scene) => blocks.push(`### ${scene.heading}`, ...scene.elements.map(element)));
  }
  if (document.draft) {
    blocks.push('## Story');
    for (const passage of document.draft.passages) blocks.push(`### ${passage.number}. ${passage.title}`, passage.text.trim());
  }
  if (!document.dialogue && !document.draft) {
    blocks.push(...outline(document));
    if (document.scenes.length > 0) blocks.push(`## Scenes\n\n${document.scenes.map((s) => `${s.number}. **${s.heading}** — ${s.summary}`).join('\n')}`);
  }
  return `${blocks.join('\n\n')}\n`;
}
