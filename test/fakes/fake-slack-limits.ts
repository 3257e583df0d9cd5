// Slack refuses blocks over its limits with `invalid_blocks` (docs.slack.dev, Block Kit reference): the fake does
// too, so a text that would make a real views.update or chat.update fail makes a test fail.
import { SlackMethodError } from './fake-slack-args.js';

interface TextObject {
  text?: unknown;
}
interface Option {
  text?: TextObject;
  description?: TextObject;
  value?: unknown;
}
interface Element {
  type?: unknown;
  options?: Option[];
  option_groups?: { label?: TextObject; options?: Option[] }[];
  initial_option?: Option;
  initial_options?: Option[];
  initial_value?: unknown;
  initial_date_time?: unknown;
  max_length?: unknown;
  placeholder?: TextObject;
}
interface Block {
  type?: unknown;
  text?: TextObject;
  fields?: TextObject[];
  elements?: (TextObject & { type?: unknown; options?: { text?: TextObject }[]; text?: TextObject })[];
  element?: Element;
  label?: TextObject;
  hint?: TextObject;
}

/** Radio buttons and checkboxes hold at most 10 options (selects 100). */
const MAX_OPTIONS: Record<string, number> = { radio_buttons: 10, checkboxes: 10 };

/** An initial option must be one of the options, exactly (Slack compares the whole object). */
function isOneOf(option: Option, options: Option[]): boolean {
  return options.some((o) => JSON.stringify(o) === JSON.stringify(option));
}

/** A select's option_groups: at most 100 groups of at most 100 options, labels of at most 75; never beside `options`. */
function groupsProblem(el: Element): string | undefined {
  const groups = el.option_groups ?? [];
  if (el.options !== undefined) return 'both options and option_groups';
  if (groups.length > 100) return 'more than 100 option_groups';
  if (groups.some((g) => length(g.label) === 0 || length(g.label) > 75)) return 'an option group label empty or over 75';
  if (groups.some((g) => (g.options ?? []).length > 100)) return 'more than 100 options in an option group';
  return undefined;
}

function elementProblem(el: Element): string | undefined {
  const groups = el.option_groups !== undefined ? groupsProblem(el) : undefined;
  if (groups) return groups;
  const options = el.option_groups?.flatMap((g) => g.options ?? []) ?? el.options ?? [];
  const type = typeof el.type === 'string' ? el.type : '';
  if (el.option_groups === undefined && options.length > (MAX_OPTIONS[type] ?? 100)) return `more than ${MAX_OPTIONS[type] ?? 100} options in ${type}`;
  if (options.some((o) => length(o.text) > 75 || length(o.description) > 75)) return 'an option text over 75';
  if (el.initial_option && (el.options || el.option_groups) && !isOneOf(el.initial_option, options)) return 'initial_option is not one of the options';
  if (el.initial_options?.some((o) => !isOneOf(o, options))) return 'an initial option is not one of the options';
  if (type === 'datetimepicker' && el.initial_date_time !== undefined) {
    // Unix seconds, "in the format of 10 digits" (Block Kit reference).
    if (typeof el.initial_date_time !== 'number' || !Number.isInteger(el.initial_date_time) || String(el.initial_date_time).length !== 10) return 'initial_date_time is not 10 digits';
  }
  if (length(el.placeholder) > 150) return 'placeholder over 150';
  if (type === 'plain_text_input') {
    if (el.max_length !== undefined && (typeof el.max_length !== 'number' || el.max_length > 3000)) return 'max_length over 3000';
    const max = typeof el.max_length === 'number' ? el.max_length : 3000;
    if (typeof el.initial_value === 'string' && el.initial_value.length > max) return 'initial_value longer than max_length';
  }
  return undefined;
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
  if (block.type === 'input' && length(block.hint) > 2000) return 'input hint over 2000';
  if (block.type === 'actions') {
    if ((block.elements?.length ?? 0) > 25) return 'more than 25 actions';
    if (block.elements?.some((e) => e.type === 'button' && length(e.text) > 75)) return 'a button text over 75';
  }
  return block.element ? elementProblem(block.element) : undefined;
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

/** A modal's or home's own limits (views.open/update/push/publish): then its blocks, 100 at most. */
export function checkViewLimits(view: Record<string, unknown>): void {
  const title = (key: string) => length(view[key] as TextObject | undefined);
  if (title('title') > 24 || title('submit') > 24 || title('close') > 24) throw new SlackMethodError('invalid_arguments');
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) throw new SlackMethodError('invalid_arguments');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) throw new SlackMethodError('invalid_arguments');
  checkBlockLimits(view.blocks as unknown[] | undefined, 100);
}
