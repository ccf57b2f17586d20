// Word wrapping for monospaced layout: lines of at most `width` characters, breaking inside a word only when
// the word alone is longer than a line.

export function wrapText(text: string, width: number, firstIndent = 0): string[] {
  const lines: string[] = [];
  let line = '';
  const room = () => (lines.length === 0 ? width - firstIndent : width);
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > room()) {
      if (line) lines.push(line);
      const size = room();
      lines.push(rest.slice(0, size));
      rest = rest.slice(size);
      line = '';
    }
    if (!rest) continue;
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= room()) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Sentences with their closing punctuation, for breaking a speech where a reader can pause. */
export function sentencesOf(text: string): string[] {
  return text.match(/[^.!?…]+(?:[.!?…]+["'’”)\]]*|$)\s*/g)?.map((s) => s.trim()).filter(Boolean) ?? [text];
}
