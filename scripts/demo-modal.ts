// A modal as a person reads it: its notices, and for each field what it offers (options marked when pre-selected).
import type { StoredView } from '../test/fakes/fake-slack.js';

interface TextObject { text?: string }
interface Option { text?: TextObject; value?: string; description?: TextObject }
interface ModalBlock {
  type?: string;
  block_id?: string;
  text?: TextObject;
  label?: TextObject;
  hint?: TextObject;
  optional?: boolean;
  elements?: TextObject[];
  element?: { type?: string; options?: Option[]; initial_option?: Option; placeholder?: TextObject; initial_value?: string };
}

export function describeModal(view: StoredView, render: (mrkdwn: string) => string): string {
  const title = (view.title as TextObject | undefined)?.text ?? view.callback_id;
  const submit = (view.submit as TextObject | undefined)?.text;
  const lines = [`modal "${title}" offers:`];
  for (const block of view.blocks as ModalBlock[]) {
    if ((block.type === 'section' || block.type === 'header') && block.text?.text) lines.push(`  ${render(block.text.text)}`);
    if (block.type === 'context') lines.push(`  ${render((block.elements ?? []).map((e) => e.text ?? '').join(' '))}`);
    if (block.type !== 'input' || !block.element) continue;
    const label = block.label?.text ?? block.block_id ?? '?';
    const hint = block.hint?.text ? `\n      ℹ ${block.hint.text}` : '';
    const el = block.element;
    if (el.options) {
      lines.push(`  ${label}:${hint}`);
      for (const o of el.options) {
        const chosen = o.value !== undefined && o.value === el.initial_option?.value ? '  ◀ pre-selected' : '';
        const description = o.description?.text ? `  (${o.description.text})` : '';
        lines.push(`    • ${o.text?.text ?? o.value}${description}${chosen}`);
      }
    } else {
      const value = el.initial_value ? `"${el.initial_value}"` : `[ ${el.placeholder?.text ?? 'text'} ]`;
      lines.push(`  ${label}: ${value}${hint}`);
    }
  }
  if (submit) lines.push(`  buttons: [Cancel] [${submit}]`);
  return lines.join('\n');
}

/** Inline field errors (`response_action: errors`) as "field label: message" lines. */
export function describeFieldErrors(view: StoredView, answer: unknown): string | undefined {
  const body = answer as { response_action?: string; errors?: Record<string, string> } | undefined;
  if (body?.response_action !== 'errors' || !body.errors) return undefined;
  const labels = new Map((view.blocks as ModalBlock[]).map((b) => [b.block_id, b.label?.text]));
  return Object.entries(body.errors)
    .map(([blockId, message]) => `under "${labels.get(blockId) ?? blockId}": ${message}`)
    .join('\n');
}
