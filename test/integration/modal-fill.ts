// What a user does in the restore modal, as Slack would submit it: the harness and the Socket Mode test fill it in.
import type { StoredView } from '../fakes/fake-slack.js';

export interface ModalFields {
  source?: string;
  snapshotId?: string;
  target?: string;
  reason?: string;
  confirmation?: string;
  /** The "what to restore" radio: 'cluster' or 'namespaces'. */
  what?: string;
  /** The namespaces box, as typed. */
  namespaces?: string;
  writeStrategy?: string;
  indexStrategy?: string;
  /** The "from" radio: 'snapshot' or 'pointInTime'. */
  from?: string;
  /** The datetimepicker, Unix seconds. */
  pointInTime?: number;
  /** The safety snapshot checkbox: ticked or not. */
  safetySnapshot?: boolean;
}

interface Option {
  value: string;
}
interface Element {
  type: string;
  action_id: string;
  initial_option?: Option;
  initial_options?: Option[];
  options?: Option[];
  initial_value?: string;
  initial_date_time?: number;
}

const RADIOS: Record<string, keyof ModalFields> = {
  restore_what: 'what',
  restore_write_strategy: 'writeStrategy',
  restore_index_strategy: 'indexStrategy',
  restore_from: 'from',
};

/** The view as Slack submits it: `state.values` holds the fields (inputs default to what the modal pre-filled). */
export function filledView(view: StoredView, fields: ModalFields): StoredView {
  const values: Record<string, Record<string, unknown>> = {};
  const blocks = view.blocks as { block_id?: string; element?: Element }[];
  const select = (value: string | undefined, type = 'static_select') => ({ type, selected_option: value ? { value, text: { type: 'plain_text', text: value } } : null });
  const text = (value: string) => ({ type: 'plain_text_input', value });
  for (const { block_id: id, element: el } of blocks) {
    if (!id || !el) continue;
    const radio = RADIOS[id];
    if (id === 'restore_source') values[id] = { [el.action_id]: select(fields.source ?? el.initial_option?.value) };
    else if (id.startsWith('restore_snapshot')) values[id] = { [el.action_id]: select(fields.snapshotId ?? el.initial_option?.value ?? el.options?.[0]?.value) };
    else if (id.startsWith('restore_target')) values[id] = { [el.action_id]: select(fields.target ?? el.initial_option?.value) };
    else if (id === 'restore_reason') values[id] = { [el.action_id]: text(fields.reason ?? 'bad migration') };
    else if (id === 'restore_confirmation') values[id] = { [el.action_id]: text(fields.confirmation ?? '') };
    else if (id === 'restore_namespaces') values[id] = { [el.action_id]: text(fields.namespaces ?? el.initial_value ?? '') };
    else if (radio) values[id] = { [el.action_id]: select((fields[radio] as string | undefined) ?? el.initial_option?.value, 'radio_buttons') };
    else if (id === 'restore_point_in_time') values[id] = { [el.action_id]: { type: 'datetimepicker', selected_date_time: fields.pointInTime ?? el.initial_date_time ?? null } };
    else if (id === 'restore_safety_snapshot') {
      const ticked = fields.safetySnapshot ?? (el.initial_options?.length ?? 0) > 0;
      values[id] = { [el.action_id]: { type: 'checkboxes', selected_options: ticked ? (el.options ?? []).slice(0, 1) : [] } };
    }
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
