// A small XML well-formedness checker for the FDX tests (no XML parser is installed, and the task
// forbids new dependencies). It covers what FDX uses: a declaration, elements, attributes, text and
// the predefined/numeric entities. Throws on the first problem; returns the element tree.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: Array<XmlElement | string>;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(text: string, where: number): string {
  if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) throw new Error(`bad character or entity in text near ${where}: ${JSON.stringify(text.slice(0, 40))}`);
  return text.replace(ENTITY, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity in named) return named[entity];
    return String.fromCodePoint(entity[1] === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
  });
}

export function parseXml(source: string): XmlElement {
  let pos = 0;
  const declaration = /^<\?xml\s[^?]*\?>\s*/.exec(source);
  if (declaration) pos = declaration[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const text = source.slice(pos, lt === -1 ? source.length : lt);
    if (text.length > 0) {
      if (stack.length === 0) {
        if (text.trim() !== '') throw new Error(`text outside the root element at ${pos}`);
      } else {
        stack[stack.length - 1].children.push(decode(text, pos));
      }
    }
    if (lt === -1) break;
    pos = lt;
    if (source.startsWith('</', pos)) {
      const end = source.indexOf('>', pos);
      const name = source.slice(pos + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`closing </${name}> does not match <${open?.name ?? 'nothing'}> at ${pos}`);
      pos = end + 1;
      continue;
    }
    if (source.startsWith('<!--', pos)) {
      const end = source.indexOf('-->', pos);
      if (end === -1) throw new Error('unterminated comment');
      pos = end + 3;
      continue;
    }
    pos++;
    const name = NAME.exec(source.slice(pos))?.[0];
    if (!name) throw new Error(`bad element name at ${pos}`);
    pos += name.length;
    const element: XmlElement = { name, attributes: {}, children: [] };
    for (;;) {
      const space = /^\s*/.exec(source.slice(pos))![0];
      pos += space.length;
      if (source.startsWith('/>', pos) || source.startsWith('>', pos)) break;
      if (space.length === 0) throw new Error(`missing space before attribute at ${pos}`);
      const attribute = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(source.slice(pos));
      if (!attribute) throw new Error(`bad attribute at ${pos}`);
      if (attribute[1] in element.attributes) throw new Error(`duplicate attribute ${attribute[1]}`);
      element.attributes[attribute[1]] = decode(attribute[3] ?? attribute[4], pos);
      pos += attribute[0].length;
    }
    const selfClosing = source.startsWith('/>', pos);
    pos += selfClosing ? 2 : 1;
    if (stack.length > 0) stack[stack.length - 1].children.push(element);
    else if (root) throw new Error('more than one root element');
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== 'string' && (!name || child.name === name));
}

export function textOf(element: XmlElement): string {
  return element.children.map((child) => (typeof child === 'string' ? child : textOf(child))).join('');
}
