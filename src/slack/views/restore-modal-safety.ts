// The safety snapshot in the modal (DESIGN.md §6): what the target's policy asks (`required`, `offered`, `off`) and
// what Atlas can do (on-demand snapshots of dedicated clusters with cloud backup on only). Pure: the plan decides, the blocks show it, and
// the submit check takes the same plan.
//
// A restore beside the live data (CREATE_NEW) replaces nothing on the target, so there is nothing for a snapshot of
// the target to bring back: none is taken or offered for it, whatever the policy says (the modal says why).
import type { KnownBlock } from '@slack/types';
import type { ClusterType } from '../../atlas/types.js';
import type { SafetySnapshotRules } from '../../policy/safety-snapshot-schema.js';
import { escapeText } from './format.js';
import { SAFETY_SNAPSHOT_ACTION_ID, SAFETY_SNAPSHOT_BLOCK_ID } from './ids.js';
import { typeWords } from './source-facts.js';

export interface SafetyFacts {
  /** `rulesFor(policy, target).safetySnapshot`. */
  rules: SafetySnapshotRules;
  targetKey: string;
  /** The target's type from the policy or detection; undefined when neither answered (the restore's job checks again). */
  targetType?: ClusterType | undefined;
  /**
   * The target's cloud backup (a dedicated cluster's `backupEnabled`): off, Atlas takes no snapshot of it, on demand
   * included (recorded for `cluster-29`). Undefined when not asked or not answered (the restore's job finds out).
   */
  backupEnabled?: boolean | undefined;
}

export type SafetyPlan =
  | { kind: 'off' }
  /** The policy asks for one, but this restore replaces nothing. */
  | { kind: 'not_needed'; why: string }
  /** Offered by the policy, but Atlas can't take one of this target. */
  | { kind: 'unavailable'; why: string }
  /** Required by the policy, and Atlas can't take one of this target: no restore into it can be requested. */
  | { kind: 'impossible'; why: string }
  | { kind: 'required'; retentionInDays: number }
  | { kind: 'offered'; retentionInDays: number; checked: boolean };

export const SAFETY_SNAPSHOT_OPTION_VALUE = 'take';

/** What a submit error is kept within (Slack shows it as plain text; 300 is its plain_text limit in dialogs). */
const MAX_SUBMIT_ERROR = 300;

export function safetySnapshotPlan(facts: SafetyFacts | undefined, replaces: boolean, keep: boolean): SafetyPlan {
  if (!facts || facts.rules.mode === 'off') return { kind: 'off' };
  if (!replaces) return { kind: 'not_needed', why: 'No safety snapshot: this restore writes beside the live data and replaces nothing on the target.' };
  const { targetType, targetKey } = facts;
  const retentionInDays = facts.rules.retentionInDays;
  const backupOff = targetType !== 'flex' && targetType !== 'serverless' && facts.backupEnabled === false;
  if (targetType === 'flex' || targetType === 'serverless' || backupOff) {
    // As for a Flex target: not offered, and a policy that requires one refuses every restore into it, saying why.
    const key = `\`${escapeText(targetKey)}\``;
    if (backupOff) {
      if (facts.rules.mode !== 'required') return { kind: 'unavailable', why: `No safety snapshot: cloud backup is off for ${key} in Atlas.` };
      const why = (off: string) =>
        `A safety snapshot of the target is required, but ${off}, so none can be taken and no restore into it can be requested. Turn on cloud backup in Atlas, or have its safetySnapshot.mode set to offered or off in the policy.`;
      // Also the submit error, plain text under the target field: a name too long for 300 characters is left to the field.
      const named = why(`cloud backup is off for ${key} in Atlas`);
      return { kind: 'impossible', why: named.replace(/`/g, '').length <= MAX_SUBMIT_ERROR ? named : why('its cloud backup is off in Atlas') };
    }
    const cant = `${key} is ${typeWords(targetType as ClusterType)}, and Atlas takes on-demand snapshots of dedicated clusters only`;
    return facts.rules.mode === 'required'
      ? { kind: 'impossible', why: `The restore policy requires a safety snapshot of the target before a restore, but ${cant}: no restore into it can be requested. Ask the owners of the restore policy.` }
      : { kind: 'unavailable', why: `No safety snapshot is available: ${cant}.` };
  }
  return facts.rules.mode === 'required' ? { kind: 'required', retentionInDays } : { kind: 'offered', retentionInDays, checked: keep };
}

/** The request's `safetySnapshot` when one will be taken. */
export function safetySnapshotToTake(plan: SafetyPlan): { retentionInDays: number } | undefined {
  if (plan.kind === 'required' || (plan.kind === 'offered' && plan.checked)) return { retentionInDays: plan.retentionInDays };
  return undefined;
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const info = (text: string): KnownBlock => ({ type: 'context', block_id: 'restore_safety_info', elements: [{ type: 'mrkdwn', text }] });

export function safetyBlocks(plan: SafetyPlan): KnownBlock[] {
  switch (plan.kind) {
    case 'off':
      return [];
    case 'not_needed':
    case 'unavailable':
      return [info(`:information_source: ${plan.why}`)];
    case 'impossible':
      return [info(`:no_entry: ${plan.why}`)];
    case 'required':
      return [info(`:camera_with_flash: A safety snapshot of the target is taken before the restore (kept ${days(plan.retentionInDays)}), after the last approval: the restore waits for it.`)];
    case 'offered': {
      const option = {
        text: plain('Take a safety snapshot of the target first'),
        value: SAFETY_SNAPSHOT_OPTION_VALUE,
        description: plain(`Kept ${days(plan.retentionInDays)}; the restore waits for it`),
      };
      return [
        {
          type: 'input',
          block_id: SAFETY_SNAPSHOT_BLOCK_ID,
          optional: true, // unticked is a valid answer, which a required input would refuse
          label: plain('Safety snapshot'),
          element: { type: 'checkboxes', action_id: SAFETY_SNAPSHOT_ACTION_ID, options: [option], ...(plan.checked ? { initial_options: [option] } : {}) },
        },
      ];
    }
  }
}
