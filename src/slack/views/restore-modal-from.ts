// "From": a snapshot (the list, snapshot-blocks.ts) or a point in time (Slack's datetimepicker, shown in the viewer's
// zone, with the restorable window), for dedicated sources with continuous cloud backup. Pure. The radio dispatches.
import type { KnownBlock, PlainTextOption } from '@slack/types';
import { clip, formatInTimeZone } from './format.js';
import { FROM_BLOCK_ID, FROM_SELECT_ACTION_ID, POINT_IN_TIME_ACTION_ID, POINT_IN_TIME_BLOCK_ID } from './ids.js';
import type { ModalChoices } from './modal-choices.js';
import { snapshotBlocks, type SnapshotSection } from './snapshot-blocks.js';
import { pointInTimeUnavailable, pointInTimeWindow, type SourceFacts } from './source-facts.js';

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const context = (blockId: string, text: string): KnownBlock => ({ type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text: clip(text, 3000) }] });
const option = (value: ModalChoices['from'], text: string, description: string): PlainTextOption => ({ text: plain(text), value, description: plain(clip(description, 75)) });

export interface FromBlocksInput {
  sourceKey: string | undefined;
  facts: SourceFacts;
  /** The effective choices (see effectiveChoices). */
  choices: ModalChoices;
  snapshots: SnapshotSection;
  selectedSnapshotId?: string | undefined;
  timeZone: string;
  nowSeconds: number;
}

/** "2026-11-24 14:05 CET" for Unix seconds. */
export function zonedTime(unixSeconds: number, timeZone: string): string {
  return formatInTimeZone(new Date(unixSeconds * 1000).toISOString(), timeZone);
}

/** "from 2026-11-24 14:05 CET to now (7 days of continuous cloud backup)": the inline error and the modal say it alike. */
/**
 * The window's start moves on with the clock and has seconds; people pick minutes. Shown is the first whole minute at
 * least a minute after it, so the minute shown is still restorable when the form is submitted a little later.
 */
const SHOWN_START_MARGIN_SECONDS = 60;

export function windowText(window: { fromUnixSeconds: number; toUnixSeconds: number }, timeZone: string): string {
  const days = Math.round((window.toUnixSeconds - window.fromUnixSeconds) / 86_400);
  const shownFrom = Math.ceil((window.fromUnixSeconds + SHOWN_START_MARGIN_SECONDS) / 60) * 60;
  return `from ${zonedTime(shownFrom, timeZone)} to now (${days} day${days === 1 ? '' : 's'} of continuous cloud backup)`;
}

export function fromBlocks(input: FromBlocksInput): KnownBlock[] {
  const { sourceKey, facts, choices, timeZone, nowSeconds } = input;
  const snapshots = () => snapshotBlocks({ sourceKey, snapshots: input.snapshots, selectedSnapshotId: input.selectedSnapshotId, timeZone });
  if (sourceKey === undefined || facts.status !== 'loaded') return snapshots();
  const why = pointInTimeUnavailable(sourceKey, facts);
  const window = pointInTimeWindow(facts, nowSeconds);
  if (why || !window) return [context('restore_from_info', `*From a snapshot*: ${why ?? ''}`), ...snapshots()];
  const options = [
    option('snapshot', 'A snapshot', 'One of the snapshots listed below'),
    option('pointInTime', 'A point in time', `Any minute of the last ${Math.round((window.toUnixSeconds - window.fromUnixSeconds) / 86_400)} days`),
  ];
  const radio: KnownBlock = {
    type: 'input',
    block_id: FROM_BLOCK_ID,
    dispatch_action: true,
    label: plain('From'),
    element: { type: 'radio_buttons', action_id: FROM_SELECT_ACTION_ID, options, initial_option: choices.from === 'pointInTime' ? options[1]! : options[0]! },
  };
  if (choices.from === 'snapshot') return [radio, ...snapshots()];
  // Empty until chosen: a picker that started at now would, left untouched, restore the very writes the restore is
  // meant to undo. Slack refuses an initial_date_time that isn't 10 digits: a time from the command that far off
  // starts empty too (the modal's notice says why it was dropped).
  const initial = choices.pointInTime !== undefined && choices.pointInTime >= 1e9 && choices.pointInTime < 1e10 ? choices.pointInTime : undefined;
  return [
    radio,
    {
      type: 'input',
      block_id: POINT_IN_TIME_BLOCK_ID,
      label: plain('Point in time'),
      hint: plain('In your Slack time zone: choose a moment before the writes to undo. Atlas starts from the last snapshot before it and replays what was written up to that time.'),
      element: { type: 'datetimepicker', action_id: POINT_IN_TIME_ACTION_ID, ...(initial !== undefined ? { initial_date_time: initial } : {}) },
    },
    context('restore_pit_window', `Restorable window: ${windowText(window, timeZone)}. Times in ${timeZone}.`),
  ];
}
