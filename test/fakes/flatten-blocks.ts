// Block Kit → readable lines, so a test (or a demo transcript) can read a card the way a person would.

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `text` of a text object ({type:'mrkdwn'|'plain_text', text}) or undefined. */
function textOf(v: unknown): string | undefined {
  return isObject(v) && typeof v.text === 'string' ? v.text : undefined;
}

/** Every string under a `text` key, depth first (rich_text and unknown blocks). */
function collectTexts(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const item of v) collectTexts(item, out);
  else if (isObject(v)) {
    if (typeof v.text === 'string') out.push(v.text);
    for (const [k, child] of Object.entries(v)) if (k !== 'text' || typeof child !== 'string') collectTexts(child, out);
  }
  return out;
}

function elementText(el: unknown): string | undefined {
  if (!isObject(el)) return undefined;
  if (el.type === 'button') return `[${textOf(el.text) ?? ''}]`;
  if (el.type === 'image') return `[image: ${String(el.alt_text ?? '')}]`;
  if (typeof el.type === 'string' && el.type.includes('select')) {
    const chosen = isObject(el.initial_option) ? textOf(el.initial_option.text) : undefined;
    return `<${chosen ?? textOf(el.placeholder) ?? el.type}>`;
  }
  return textOf(el) ?? (typeof el.type === 'string' ? `<${el.type}>` : undefined);
}

function blockLines(block: unknown): string[] {
  if (!isObject(block)) return [];
  switch (block.type) {
    case 'header':
      return [textOf(block.text) ?? ''];
    case 'section': {
      const lines: string[] = [];
      const t = textOf(block.text);
      if (t) lines.push(t);
      if (Array.isArray(block.fields)) for (const f of block.fields) lines.push(textOf(f) ?? '');
      const acc = elementText(block.accessory);
      if (acc) lines.push(acc);
      return lines;
    }
    case 'context':
      return [(Array.isArray(block.elements) ? block.elements : []).map(elementText).filter(Boolean).join(' ')];
    case 'actions':
      return [(Array.isArray(block.elements) ? block.elements : []).map(elementText).filter(Boolean).join(' ')];
    case 'divider':
      return ['---'];
    case 'input':
      return [`${textOf(block.label) ?? ''}: ${elementText(block.element) ?? ''}`];
    case 'image':
      return [`[image: ${String(block.alt_text ?? '')}]`];
    default:
      return collectTexts(block);
  }
}

/** Readable text of a message: its blocks flattened, or its `text` when it has no blocks. */
export function messageToText(msg: { text?: string; blocks?: unknown[] }): string {
  const blocks = msg.blocks ?? [];
  if (blocks.length === 0) return msg.text ?? '';
  return blocks.flatMap(blockLines).filter((l) => l !== '').join('\n');
}
