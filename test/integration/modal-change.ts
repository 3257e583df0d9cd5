// A change of one dispatching element of the restore modal, sent as Slack sends it (block_actions from the view,
// with everything the user entered in its state), and the view once the app has rebuilt it.
import type { FakeSlack, StoredView } from '../fakes/fake-slack.js';
import { sendViewAction } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { filledView, type ModalFields } from './modal-fill.js';

/** The modal's elements that dispatch an action, with their block and action ids (the target's block id has the source in it). */
export type ModalChange = 'source' | 'target' | 'what' | 'writeStrategy' | 'from';
const MODAL_CHANGES: Record<ModalChange, { block: string; action: string; type: string }> = {
  source: { block: 'restore_source', action: 'restore_source_select', type: 'static_select' },
  target: { block: 'restore_target', action: 'restore_target_select', type: 'static_select' },
  what: { block: 'restore_what', action: 'restore_what_select', type: 'radio_buttons' },
  writeStrategy: { block: 'restore_write_strategy', action: 'restore_write_strategy_select', type: 'radio_buttons' },
  from: { block: 'restore_from', action: 'restore_from_select', type: 'radio_buttons' },
};

export async function changeModal(
  app: { url: string; secret: string; slack: FakeSlack },
  view: StoredView,
  user: string,
  change: ModalChange,
  fields: ModalFields,
  predicate: (view: StoredView) => boolean,
): Promise<StoredView> {
  const { block, action, type } = MODAL_CHANGES[change];
  const blockId = (view.blocks as { block_id?: string }[]).map((b) => b.block_id).find((id) => id === block || id?.startsWith(`${block}:`));
  if (!blockId) throw new Error(`the modal has no ${block} block to change`);
  const value = String(fields[change] ?? '');
  const res = await sendViewAction(app.url, app.secret, { actionId: action, blockId, userId: user, view: filledView(view, fields), actionType: type, selectedOption: { text: value, value } });
  if (res.status !== 200) throw new Error(`the ${change} change was answered ${res.status}`);
  return waitFor(() => app.slack.views().find((v) => v.id === view.id && v.hash !== view.hash && predicate(v)), { message: `modal rebuilt after the ${change} change` });
}
