// Stable ids shared by the Block Kit builders and the Bolt handlers that listen for them.

/** callback_id of the restore modal (loading and full versions alike). */
export const RESTORE_MODAL_CALLBACK_ID = 'atlas_restore_modal';

// Actions
export const SOURCE_SELECT_ACTION_ID = 'restore_source_select'; // dispatches: reload snapshots
export const SNAPSHOT_SELECT_ACTION_ID = 'restore_snapshot_select';
export const TARGET_SELECT_ACTION_ID = 'restore_target_select'; // dispatches: the target's safety snapshot rules
export const WHAT_SELECT_ACTION_ID = 'restore_what_select'; // dispatches: whole cluster or namespaces
export const NAMESPACES_INPUT_ACTION_ID = 'restore_namespaces_input';
export const WRITE_STRATEGY_ACTION_ID = 'restore_write_strategy_select'; // dispatches: warning and confirmation follow it
export const INDEX_STRATEGY_ACTION_ID = 'restore_index_strategy_select';
export const FROM_SELECT_ACTION_ID = 'restore_from_select'; // dispatches: snapshot or point in time
export const POINT_IN_TIME_ACTION_ID = 'restore_point_in_time_input';
export const SAFETY_SNAPSHOT_ACTION_ID = 'restore_safety_snapshot_toggle';
export const REASON_INPUT_ACTION_ID = 'restore_reason_input';
export const CONFIRMATION_INPUT_ACTION_ID = 'restore_confirmation_input';
export const APPROVE_ACTION_ID = 'restore_approve';
export const REJECT_ACTION_ID = 'restore_reject';
export const CANCEL_ACTION_ID = 'restore_cancel'; // the requester withdraws a pending request

// Modal blocks. Snapshot and target block ids get the source key appended (see restore-modal.ts).
export const SOURCE_BLOCK_ID = 'restore_source';
export const SNAPSHOT_BLOCK_ID_PREFIX = 'restore_snapshot';
export const TARGET_BLOCK_ID_PREFIX = 'restore_target';
export const REASON_BLOCK_ID = 'restore_reason';
export const CONFIRMATION_BLOCK_ID = 'restore_confirmation';
export const WHAT_BLOCK_ID = 'restore_what';
export const NAMESPACES_BLOCK_ID = 'restore_namespaces';
export const WRITE_STRATEGY_BLOCK_ID = 'restore_write_strategy';
export const INDEX_STRATEGY_BLOCK_ID = 'restore_index_strategy';
export const FROM_BLOCK_ID = 'restore_from';
export const POINT_IN_TIME_BLOCK_ID = 'restore_point_in_time';
export const SAFETY_SNAPSHOT_BLOCK_ID = 'restore_safety_snapshot';

// Request card blocks
export const CARD_ACTIONS_BLOCK_ID = 'restore_card_actions';

// App Home. Its Approve / Reject buttons use the card's action ids (one handler for both surfaces); block ids in a
// view must be unique, so each request's buttons get a block id with its request id appended.
export const HOME_NEW_RESTORE_ACTION_ID = 'home_new_restore';
export const HOME_DECISION_BLOCK_ID_PREFIX = 'home_decide';

export const ACTION_IDS = {
  sourceSelect: SOURCE_SELECT_ACTION_ID,
  snapshotSelect: SNAPSHOT_SELECT_ACTION_ID,
  targetSelect: TARGET_SELECT_ACTION_ID,
  reasonInput: REASON_INPUT_ACTION_ID,
  confirmationInput: CONFIRMATION_INPUT_ACTION_ID,
  whatSelect: WHAT_SELECT_ACTION_ID,
  namespacesInput: NAMESPACES_INPUT_ACTION_ID,
  writeStrategy: WRITE_STRATEGY_ACTION_ID,
  indexStrategy: INDEX_STRATEGY_ACTION_ID,
  fromSelect: FROM_SELECT_ACTION_ID,
  pointInTime: POINT_IN_TIME_ACTION_ID,
  safetySnapshot: SAFETY_SNAPSHOT_ACTION_ID,
  approve: APPROVE_ACTION_ID,
  reject: REJECT_ACTION_ID,
  cancel: CANCEL_ACTION_ID,
} as const;
