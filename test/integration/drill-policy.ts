// The policy of the drill tests: one weekly drill from shop/ledger into the scratch cluster shop/staging.
import type { RestoreRequest } from '../../src/restore/types.js';
import { APPROVER, policyWith, type Harness } from './conversation-harness.js';

export const DRILLS = 'C0DRILLS01';

export const DRILL_POLICY = policyWith({
  approvers: [APPROVER],
  staging: 'type: dedicated, scratch: true',
  extra: `drills:
  - name: ledger-weekly
    source: shop/ledger
    target: shop/staging
    schedule: "0 3 * * 1"
    timeZone: Europe/Berlin
    channel: ${DRILLS}
`,
});

/** The requests of the drill `ledger-weekly`, newest first. */
export async function drillRequestsOf(h: Harness): Promise<RestoreRequest[]> {
  return (await h.app.services.store.listRecent(100)).filter((r) => r.drill?.name === 'ledger-weekly');
}
