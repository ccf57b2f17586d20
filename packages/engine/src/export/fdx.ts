// Final Draft XML: Paragraph elements in order, a title page, escaped text.
import type { ScreenplayElement } from '../story/types';
import { PLACEHOLDER_NOTICE, type ScreenplayScene, type StoryDocument, today } from './document';

/** Escapes XML text and attribute content and drops characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function paragraph(type: string, text: string, attributes = ''): string {
  return `    <Paragraph${attributes} Type="${type}">\n      <Text>${escapeXml(text)}</Text>\n    </Paragraph>`;
}

function paragraphs(item: ScreenplayElement): string[] {
  switch (item.type) {
    case 'action':
      return [paragraph('Action', item.text)];
    case 'transition':
      return [paragraph('Transition', item.text.toUpperCase())];
    case 'line':
      return [
        paragraph('Character', item.character.toUpperCase()),
        ...(item.parenthetical ? [paragraph('Parenthetical', `(${item.parenthetical.replace(/^\(|\)$/g, '')})`)] : []),
        paragraph('Dialogue', item.text),
      ];
  }
}

export function renderFdx(document: StoryDocument, scenes: ScreenplayScene[], date = today()): string {
  const body = scenes.flatMap((scene) => [paragraph('Scene Heading', scene.heading.toUpperCase()), ...scene.elements.flatMap(paragraphs)]);
  const centered = ' Alignment="Center"';
  const title = [
    paragraph('Action', document.title.toUpperCase(), centered),
    paragraph('Action', 'Written by', centered),
    paragraph('Action', 'Storyloom', centered),
    ...(document.placeholder ? [paragraph('Action', PLACEHOLDER_NOTICE, centered)] : []),
    ...(document.logline ? [paragraph('Action', document.logline.logline)] : []),
    paragraph('Action', date),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>',
    '<FinalDraft DocumentType="Script" Template="No" Version="5">',
    '  <Content>',
    ...body,
    '  </Content>',
    '  <TitlePage>',
    '  <Content>',
    ...title,
    '  </Content>',
    '  </TitlePage>',
    '</FinalDraft>',
    '',
  ].join('\n');
}
