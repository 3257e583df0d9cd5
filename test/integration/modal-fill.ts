// What a user does in the restore modal, as Slack would submit it: the harness and the Socket Mode test fill it in.
import type { StoredView } from '../fakes/fake-slack.js';

export interface ModalFields {
  source?: string;
  snapshotId?: string;
  target?: string;
  reason?: string;
  confirmation?: string;
}

/** The view as Slack submits it: `state.values` holds the fields (selects default to what the modal pre-selected). */
export function filledView(view: StoredView, fields: ModalFields): StoredView {
  const values: Record<string, Record<string, unknown>> = {};
  const blocks = view.blocks as { block_id?: string; element?: { action_id: string; initial_option?: { value: string }; options?: { value: string }[] } }[];
  const select = (value: string | undefined) => ({ type: 'static_select', selected_option: value ? { value, text: { type: 'plain_text', text: value } } : null });
  const text = (value: string) => ({ type: 'plain_text_input', value });
  for (const { block_id: id, element: el } of blocks) {
    if (!id || !el) continue;
    if (id === 'restore_source') values[id] = { [el.action_id]: select(fields.source ?? el.initial_option?.value) };
    else if (id.startsWith('restore_snapshot')) values[id] = { [el.action_id]: select(fields.snapshotId ?? el.initial_option?.value ?? el.options?.[0]?.value) };
    else if (id.startsWith('restore_target')) values[id] = { [el.action_id]: select(fields.target ?? el.initial_option?.value) };
    else if (id === 'restore_reason') values[id] = { [el.action_id]: text(fields.reason ?? 'bad migration') };
    else if (id === 'restore_confirmation') values[id] = { [el.action_id]: text(fields.confirmation ?? '') };
  }
  return { ...view, state: { values } };
}

/** Filled = the snapshot select has options, or the modal explains why there is nothing to choose. */
export function isFilledModal(view: StoredView): boolean {
  const blocks = view.blocks as { block_id?: string; element?: { options?: unknown[] } }[];
  const snapshot = blocks.find((b) => b.block_id?.startsWith('restore_snapshot:')); // the select, not the info section
  if (snapshot) return (snapshot.element?.options?.length ?? 0) > 0;
  return !JSON.stringify(view.blocks).includes('Loading');
}
