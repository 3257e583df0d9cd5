// `/atlas-restore status <id>` and `list` as the on-call engineer reads them: what stands now, what happens next,
// who must act, how long it has been. What the card says about a request must not be missing from `status`.
import { describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../../src/restore/types.js';
import { renderList, renderStatus } from '../../../src/slack/views/status-views.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const NOW = new Date('2026-03-01T12:00:00Z');

const running = (overrides: Partial<RestoreRequest> = {}) =>
  sampleRequest({ state: 'running', atlasJobId: 'a'.repeat(24), lastJobState: 'running', submittedAt: '2026-03-01T11:00:00Z', approvals: [{ user: 'U0FIRST', at: '2026-03-01T10:59:00Z' }], approvalsRequired: 1, ...overrides });

describe('status <id> says everything the card says about where a restore stands', () => {
  it('a running restore the bot cannot check (key rotated, IP access list): says so and what is being done', () => {
    const req = running({ waitingFor: { reason: 'Atlas refused the API key: check it (ATLAS_UNAUTHORIZED)', since: '2026-03-01T11:30:00Z' } });
    const text = renderStatus(req, undefined, NOW);
    expect(text).toContain('Atlas refused the API key: check it (ATLAS_UNAUTHORIZED)');
    expect(text).toMatch(/I keep checking/);
  });

  it('a collection restore in progress shows how far it is', () => {
    const req = running({ namespaces: [{ sourceNamespace: 'sales.orders' }], writeStrategy: 'CREATE_NEW', progress: { restoredDocuments: 500, totalDocuments: 2000, announcedStep: 0 } });
    expect(renderStatus(req, undefined, NOW)).toContain('25 % restored (500 of 2,000 documents)');
  });

  it('a failed request whose job may still appear in Atlas says the target stays locked until then', () => {
    const req = sampleRequest({ state: 'failed', failureReason: 'Atlas did not confirm the restore job.', lateAdoptUntil: '2026-03-01T12:30:00Z', postStartedAt: '2026-03-01T11:00:00Z', finishedAt: '2026-03-01T11:20:00Z' });
    expect(renderStatus(req, undefined, NOW)).toMatch(/A restore job may still exist in Atlas: one that appears before .* is followed here, and the target stays locked until then/);
  });

  it('an approval that stopped counting says whose and why', () => {
    const req = sampleRequest({ droppedApprovals: [{ user: 'U0GONE', at: '2026-03-01T10:05:00Z', why: 'they are no longer an approver of `shop/orders-staging`' }] });
    expect(renderStatus(req, undefined, NOW)).toContain("<@U0GONE>'s approval no longer counts: they are no longer an approver");
  });

  it('shows the reason the requester gave, escaped', () => {
    const req = sampleRequest({ reason: 'INC-42: <!channel> dropped *orders* & more' });
    expect(renderStatus(req, undefined, NOW)).toContain('>INC-42: &lt;!channel&gt; dropped *orders* &amp; more');
  });
});

describe('list: one line per request that says where it stands and for how long', () => {
  const line = (req: RestoreRequest) => renderList([req], [], {}, NOW).split('\n').find((l) => l.startsWith('•'))!;

  it('an approved request held back by a passing fault reads as waiting, not as being submitted', () => {
    const req = sampleRequest({ state: 'approved', approvals: [{ user: 'U0FIRST', at: '2026-03-01T11:00:00Z' }], approvalsRequired: 1, waitingFor: { reason: 'Atlas is not answering (503).', since: '2026-03-01T11:01:00Z' }, submitBy: '2026-03-01T12:30:00Z' });
    expect(line(req)).toContain('approved, waiting to submit: Atlas is not answering (503).');
    expect(line(req)).not.toContain('approved, submitting');
  });

  it('an approved request taking its safety snapshot says so', () => {
    const req = sampleRequest({ state: 'approved', approvalsRequired: 1, safetySnapshot: { retentionInDays: 3, id: 'b'.repeat(24), status: 'requested' } });
    expect(line(req)).toContain('approved, taking a safety snapshot of the target');
  });

  it('a running restore says for how long, and when Atlas cannot be checked', () => {
    expect(line(running())).toContain('restore running for 1 h');
    expect(line(running({ waitingFor: { reason: 'Atlas refused the API key (401)', since: '2026-03-01T11:30:00Z' } }))).toContain("restore running for 1 h, but Atlas can't be checked just now");
  });

  it('a request waiting for approval says until when', () => {
    expect(line(sampleRequest())).toMatch(/waiting for approval \(1 of 2\), expires <!date\^\d+\^\{time\}\|2026-03-01 10:30 UTC> \(now\)/);
  });
});

describe('status <id>: the timings say only what happened', () => {
  it('one approval of two is no approval: a request still waiting, rejected, expired or cancelled is not called approved', () => {
    const oneOfTwo = { approvalsRequired: 2, approvals: [{ user: 'U0FIRST', at: '2026-03-01T10:05:00Z' }] };
    for (const state of ['pending_approval', 'rejected', 'approval_expired', 'cancelled'] as const) {
      const text = renderStatus(sampleRequest({ ...oneOfTwo, state, rejectedBy: 'U0NO', cancelledBy: 'U0REQUESTER' }), undefined, NOW);
      expect(text, state).not.toMatch(/^Approved <!date/m);
    }
    const approved = renderStatus(sampleRequest({ state: 'approved', approvalsRequired: 1 }), undefined, NOW);
    expect(approved).toMatch(/^Approved <!date/m);
  });
});
