// Atlas's caveat of OVERWRITE_EXISTING (its writeStrategy description): writes to the affected namespaces during the
// restore are lost, so writes must stop first. The form, the card and the Approve dialog say so.
import { describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../../src/restore/types.js';
import { approveConfirmText, approvalWarning } from '../../../src/slack/views/describe-restore.js';
import { buildRequestCard } from '../../../src/slack/views/request-card.js';
import { NAMESPACES_REPLACED_WARNING } from '../../../src/slack/views/restore-modal.js';
import { messageToText } from '../../fakes/flatten-blocks.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const collectionRestore = (overrides: Partial<RestoreRequest> = {}): RestoreRequest =>
  sampleRequest({
    source: { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'ledger', type: 'dedicated' },
    target: { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'ledger-staging', type: 'dedicated' },
    namespaces: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'crm' }],
    writeStrategy: 'OVERWRITE_EXISTING',
    ...overrides,
  });

describe("Atlas's caveat of OVERWRITE_EXISTING: writes during the restore are lost", () => {
  const pending = collectionRestore({ state: 'pending_approval' });

  it('the form, the card and the Approve dialog say to stop writes to those namespaces', () => {
    expect(NAMESPACES_REPLACED_WARNING).toContain('Stop writes to those namespaces before the approval and until the restore ends');
    expect(approvalWarning(pending, '`shop/ledger-staging`')).toContain('Stop writes to those namespaces');
    expect(messageToText(buildRequestCard(pending, NOW))).toContain('anything written to them meanwhile is lost');
    expect(approveConfirmText(pending)).toContain('Stop writes to them from now until the restore ends, or those writes are lost. This cannot be undone.');
  });

  it('the dialog keeps the caveat whole within 300 characters, the list giving way, also for a dry run', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ sourceNamespace: `analytics_${'x'.repeat(40)}.events_${i}` }));
    const dialog = approveConfirmText({ ...pending, namespaces: many, dryRun: true });
    expect(dialog.length).toBeLessThanOrEqual(300);
    expect(dialog).toMatch(/or those writes are lost\. This cannot be undone\.$/);
    expect(approveConfirmText(collectionRestore({ state: 'pending_approval', writeStrategy: 'CREATE_NEW' }))).not.toContain('Stop writes');
  });
});
