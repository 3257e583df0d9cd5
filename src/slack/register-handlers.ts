// Wires the conversation into Bolt. Handlers stay thin: they read the payload and call the modules that decide.
import type { App } from '@slack/bolt';
import type { Services } from './services.js';
import { handleCommand } from './handle-command.js';
import { handleDecision } from './handle-decision.js';
import { handleModalSubmission } from './handle-modal.js';
import { handleChoiceChange, handleSourceChange } from './handle-modal-change.js';
import { handleAppHomeOpened, handleNewRestoreFromHome } from './handle-home.js';
import {
  APPROVE_ACTION_ID,
  CANCEL_ACTION_ID,
  FROM_SELECT_ACTION_ID,
  HOME_NEW_RESTORE_ACTION_ID,
  REJECT_ACTION_ID,
  RESTORE_MODAL_CALLBACK_ID,
  SOURCE_SELECT_ACTION_ID,
  TARGET_SELECT_ACTION_ID,
  WHAT_SELECT_ACTION_ID,
  WRITE_STRATEGY_ACTION_ID,
} from './views/ids.js';

export const SLASH_COMMAND = '/atlas-restore';

export function registerHandlers(app: App, services: Services): void {
  app.command(SLASH_COMMAND, handleCommand(services));
  app.view(RESTORE_MODAL_CALLBACK_ID, handleModalSubmission(services));
  app.action(SOURCE_SELECT_ACTION_ID, handleSourceChange(services));
  // Choices that change which blocks the modal shows (the warning, the confirmation, the safety snapshot).
  for (const actionId of [WHAT_SELECT_ACTION_ID, WRITE_STRATEGY_ACTION_ID, FROM_SELECT_ACTION_ID, TARGET_SELECT_ACTION_ID]) {
    app.action(actionId, handleChoiceChange(services));
  }
  app.action(APPROVE_ACTION_ID, handleDecision(services, 'approve'));
  app.action(REJECT_ACTION_ID, handleDecision(services, 'reject'));
  app.action(CANCEL_ACTION_ID, handleDecision(services, 'cancel'));
  app.event('app_home_opened', handleAppHomeOpened(services));
  app.action(HOME_NEW_RESTORE_ACTION_ID, handleNewRestoreFromHome(services));
  // Elements inside the modal that don't dispatch may still send block_actions when changed: acknowledge them.
  app.action(/^restore_(snapshot_select|index_strategy_select|safety_snapshot_toggle|point_in_time_input|namespaces_input)$/, async ({ ack }) => ack());
}
