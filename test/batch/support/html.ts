/**
 * A small HTML parser for the tests of generated pages: elements, attributes, text (entities
 * decoded), void elements, <style>/<script> bodies kept as raw text. Enough to query our own
 * markup by tag, class and attribute, and to prove what a browser would see as text or as a tag.
 */

export interface HtmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: (HtmlElement | string)[];
  parent: HtmlElement | undefined;
}

const VOID = new Set(['meta', 'img', 'br', 'hr', 'link', 'input', 'source']);
const RAW = new Set(['style', 'script']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };

const decode = (text: string): string =>
  text.replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (whole, name: string) => {
    if (ENTITIES[name] !== undefined) return ENTITIES[name];
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return whole;
  });

export function parseHtml(html: string): HtmlElement {
  const root: HtmlElement = { tag: '#root', attrs: {}, children: [], parent: undefined };
  let current = root;
  const tagPattern =
    /<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<\/([a-zA-Z0-9]+)\s*>|<([a-zA-Z0-9]+)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g;
  let last = 0;
  for (let match = tagPattern.exec(html); match !== null; match = tagPattern.exec(html)) {
    if (match.index > last) current.children.push(decode(html.slice(last, match.index)));
    last = tagPattern.lastIndex;
    const [, closing, opening, rawAttrs] = match;
    if (closing !== undefined) {
      const tag = closing.toLowerCase();
      let open: HtmlElement | undefined = current;
      while (open && open.tag !== tag) open = open.parent;
      if (open?.parent) current = open.parent;
      continue;
    }
    if (opening === undefined) continue; // comment, doctype
    const attrs: Record<string, string> = {};
    for (const a of (rawAttrs ?? '').matchAll(
      /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g,
    )) {
      attrs[a[1]!.toLowerCase()] = decode(a[2] ?? a[3] ?? a[4] ?? '');
    }
    const element: HtmlElement = { tag: opening.toLowerCase(), attrs, children: [], parent: current };
    current.children.push(element);
    if (RAW.has(element.tag)) {
      const end = html.toLowerCase().indexOf(`</${element.tag}`, last);
      element.children.push(html.slice(last, end < 0 ? html.length : end));
      tagPattern.lastIndex = end < 0 ? html.length : end;
      last = tagPattern.lastIndex;
    } else if (!VOID.has(element.tag)) {
      current = element;
    }
  }
  if (last < html.length) current.children.push(decode(html.slice(last)));
  return root;
}

/** Every element under `node` (depth first) that `test` accepts. */
export function findAll(node: HtmlElement, test: (e: HtmlElement) => boolean): HtmlElement[] {
  const out: HtmlElement[] = [];
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (test(child)) out.push(child);
    out.push(...findAll(child, test));
  }
  return out;
}

export const byClass = (name: string) => (e: HtmlElement) =>
  (e.attrs.class ?? '').split(/\s+/).includes(name);
export const byTag = (tag: string) => (e: HtmlElement) => e.tag === tag;

export function textOf(node: HtmlElement): string {
  return node.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}
