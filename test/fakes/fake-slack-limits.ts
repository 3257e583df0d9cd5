// Slack refuses blocks over its limits with `invalid_blocks` (docs.slack.dev, Block Kit reference): the fake does
// too, so a text that would make a real views.update or chat.update fail makes a test fail.
import { SlackMethodError } from './fake-slack-args.js';

interface TextObject {
  text?: unknown;
}
interface Block {
  type?: unknown;
  text?: TextObject;
  fields?: TextObject[];
  elements?: (TextObject & { type?: unknown; options?: { text?: TextObject }[]; text?: TextObject })[];
  element?: { options?: { text?: TextObject; description?: TextObject }[]; initial_value?: unknown };
  label?: TextObject;
}

const length = (t: TextObject | undefined): number => (typeof t?.text === 'string' ? t.text.length : 0);

function problem(block: Block): string | undefined {
  if (block.type === 'header' && length(block.text) > 150) return 'header text over 150';
  if (block.type === 'section') {
    if (length(block.text) > 3000) return 'section text over 3000';
    if ((block.fields?.length ?? 0) > 10) return 'more than 10 fields';
    if (block.fields?.some((f) => length(f) > 2000)) return 'a field over 2000';
  }
  if (block.type === 'context') {
    if ((block.elements?.length ?? 0) > 10) return 'more than 10 context elements';
    if (block.elements?.some((e) => length(e) > 3000)) return 'a context element over 3000';
  }
  if (block.type === 'input' && length(block.label) > 2000) return 'input label over 2000';
  if (block.type === 'actions') {
    if ((block.elements?.length ?? 0) > 25) return 'more than 25 actions';
    if (block.elements?.some((e) => e.type === 'button' && length(e.text) > 75)) return 'a button text over 75';
  }
  const options = block.element?.options ?? [];
  if (options.length > 100) return 'more than 100 options';
  if (options.some((o) => length(o.text) > 75 || length(o.description) > 75)) return 'an option text over 75';
  return undefined;
}

/** Throws invalid_blocks, as Slack answers, when `blocks` break a limit. `max`: 50 in messages, 100 in views. */
export function checkBlockLimits(blocks: unknown[] | undefined, max: number): void {
  if (!blocks) return;
  if (blocks.length > max) throw new SlackMethodError('invalid_blocks');
  const blockIds = new Set<unknown>();
  for (const block of blocks as (Block & { block_id?: unknown })[]) {
    if (problem(block)) throw new SlackMethodError('invalid_blocks');
    // Slack refuses two blocks with one block_id in a message or view (a home lists many requests' buttons).
    if (block.block_id !== undefined && blockIds.has(block.block_id)) throw new SlackMethodError('invalid_blocks');
    blockIds.add(block.block_id);
  }
}
