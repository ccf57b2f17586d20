// Reads a PDF with pdfjs-dist (an independent reader) and prints each page's size and text items with their
// positions as JSON. pdfjs-dist 4 is ES-module only, so tests run this as a child process.
import fs from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const data = new Uint8Array(fs.readFileSync(process.argv[2]));
const pdf = await getDocument({ data, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
const pages = [];
for (let number = 1; number <= pdf.numPages; number++) {
  const page = await pdf.getPage(number);
  const [, , width, height] = page.view;
  const content = await page.getTextContent();
  const items = content.items
    .filter((item) => 'str' in item && item.str.trim() !== '')
    .map((item) => ({ str: item.str, x: item.transform[4], y: item.transform[5], width: item.width, font: content.styles[item.fontName]?.fontFamily }));
  pages.push({ width, height, items });
}
const info = await pdf.getMetadata();
process.stdout.write(JSON.stringify({ pages, title: info.info?.Title, subject: info.info?.Subject }));
