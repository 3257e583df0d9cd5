// The card, status and home of the later capabilities: which namespaces, from which snapshot or second, how, and
// whether data is replaced (the warning and the Approve dialog follow replacesData), with the safety snapshot.
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../../src/restore/types.js';
import { buildHomeView } from '../../../src/slack/views/home-view.js';
import { buildRequestCard } from '../../../src/slack/views/request-card.js';
import { renderList, renderStatus } from '../../../src/slack/views/status-views.js';
import { slackRefusal } from '../../fakes/block-kit-limits.js';
import { messageToText } from '../../fakes/flatten-blocks.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const NOW = new Date('2026-03-01T10:10:00Z');
const AT = Date.UTC(2026, 1, 28, 14, 5, 7) / 1000;
const dedicated = (cluster: string) => ({ project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster, type: 'dedicated' as const });

function request(overrides: Partial<RestoreRequest> = {}): RestoreRequest {
  return sampleRequest({ source: dedicated('ledger'), target: dedicated('ledger-staging'), ...overrides });
}
const collections = (overrides: Partial<RestoreRequest> = {}) =>
  request({ namespaces: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'sales.customers' }], writeStrategy: 'CREATE_NEW', indexStrategy: 'ALL', ...overrides });

const cardText = (req: RestoreRequest) => messageToText(buildRequestCard(req, NOW));
const approve = (req: RestoreRequest): Button =>
  buildRequestCard(req, NOW).blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements as Button[])[0]!;

describe('the card of a point-in-time restore', () => {
  const req = request({ pointInTime: { utcSeconds: AT } });

  it('shows the exact UTC second and the base snapshot, and that ALL data is replaced', () => {
    const text = cardText(req);
    expect(text).toContain('*Point in time*\n2026-02-28 14:05:07 UTC\nbase snapshot `6748a9f0c1d2e3f4a5b6c7d8`');
    expect(text).toContain('*Restores*\nThe whole cluster');
    expect(text).toContain('*Target (data replaced)*');
    expect(text).toContain('Approving replaces *ALL data* on `shop/ledger-staging` (dedicated) with the data as it was at that time.');
    expect(approve(req).confirm?.text.text).toBe('ALL data on shop/ledger-staging will be replaced by shop/ledger as it was at 2026-02-28 14:05:07 UTC. This cannot be undone.');
  });
});

describe('the card of a collection restore', () => {
  it('CREATE_NEW: which namespaces, how, and that nothing is replaced (warning and dialog alike)', () => {
    const req = collections();
    const text = cardText(req);
    expect(text).toContain('*Restores*\n2 collections (listed below)');
    expect(text).toContain('*Namespaces*\n`sales.orders`\n`sales.customers`');
    expect(text).toContain('*How*\nbeside the live data (CREATE_NEW');
    expect(text).toContain('*Target (written beside the live data)*');
    expect(text).toContain('nothing there is replaced');
    expect(text).not.toContain('ALL data');
    expect(approve(req).confirm?.text.text).toBe(
      '2 namespaces (sales.orders, sales.customers) will be restored from snapshot 6748a9f0c1d2e3f4a5b6c7d8 of shop/ledger beside the live data of shop/ledger-staging. Nothing there is replaced.',
    );
  });

  it('OVERWRITE_EXISTING at a point in time: says which namespaces are replaced', () => {
    const req = collections({ writeStrategy: 'OVERWRITE_EXISTING', indexStrategy: 'ALL_EXCEPT_TTL', pointInTime: { utcSeconds: AT } });
    const text = cardText(req);
    expect(text).toContain('*Target (namespaces replaced)*');
    expect(text).toContain('replacing those namespaces on the target (OVERWRITE_EXISTING), with all indexes but TTL ones');
    expect(text).toContain(':warning: Approving replaces `sales.orders`, `sales.customers` (2 namespaces) on `shop/ledger-staging` (dedicated)');
    expect(approve(req).confirm?.text.text).toMatch(/^2 namespaces on shop\/ledger-staging \(sales\.orders, sales\.customers\) will be replaced by shop\/ledger as it was at 2026-02-28 14:05:07 UTC/);
  });

  it('whole databases are called databases; a dry run says so in the dialog', () => {
    const req = collections({ namespaces: [{ sourceNamespace: 'crm' }], dryRun: true });
    expect(cardText(req)).toContain('1 database (listed below)');
    expect(approve(req).confirm?.text.text).toMatch(/^Dry run: nothing will be sent to Atlas\. In a real run: 1 namespace \(crm\)/);
  });

  it('100 long namespaces stay within Slack limits, and a list cut short says how many are left out', () => {
    const namespaces = Array.from({ length: 100 }, (_, i) => ({ sourceNamespace: `analytics_${'x'.repeat(40)}.events_${i}` }));
    const req = collections({ namespaces });
    const card = buildRequestCard(req, NOW);
    expect(slackRefusal('message', card)).toBeUndefined();
    const list = (card.blocks as KnownBlock[]).map((b) => (b.type === 'section' ? b.text?.text : undefined)).find((t) => t?.startsWith('*Namespaces*'))!;
    expect(list.length).toBeLessThanOrEqual(3000);
    expect(list).toMatch(/…and \d+ more \(`\/atlas-restore status RR-7K3P2Q` lists them all\)$/);
    expect(approve(req).confirm?.text.text.length).toBeLessThanOrEqual(300);
    // status lists every one
    const status = renderStatus(req, undefined, NOW);
    for (const n of namespaces) expect(status).toContain(n.sourceNamespace);
  });
});

describe('the safety snapshot on the card', () => {
  it('says one will be taken, then what became of it', () => {
    expect(cardText(request({ safetySnapshot: { retentionInDays: 3 } }))).toContain('A safety snapshot of `shop/ledger-staging` (dedicated) is taken after the last approval, before the restore (kept 3 days).');
    expect(cardText(request({ safetySnapshot: { retentionInDays: 1, id: 'snap1', status: 'completed' } }))).toContain('Safety snapshot `snap1` of `shop/ledger-staging` (dedicated) taken (kept 1 day).');
    expect(cardText(request({ safetySnapshot: { retentionInDays: 1, status: 'failed' } }))).toContain(':x: The safety snapshot of `shop/ledger-staging` (dedicated) failed.');
    expect(cardText(request())).not.toMatch(/safety snapshot/i);
  });
});

describe('status and home say what and from', () => {
  it('status: what, from which second and base snapshot, into which cluster and how', () => {
    const text = renderStatus(collections({ pointInTime: { utcSeconds: AT }, safetySnapshot: { retentionInDays: 2 } }), undefined, NOW);
    expect(text).toContain('Restores `sales.orders`, `sales.customers` (2 namespaces) of `shop/ledger` from the point in time 2026-02-28 14:05:07 UTC (base snapshot `6748a9f0c1d2e3f4a5b6c7d8`');
    expect(text).toContain('Into `shop/ledger-staging`, beside the live data (CREATE_NEW');
    expect(text).toContain('A safety snapshot of');
    expect(renderList([collections({ pointInTime: { utcSeconds: AT } })], [])).toContain('`shop/ledger` → `shop/ledger-staging` · 2 namespaces at a point in time: waiting for approval');
  });

  it('home: the awaiting request says what it restores and whether approving replaces data', () => {
    const home = (req: RestoreRequest) => messageToText({ blocks: buildHomeView({ kind: 'member', user: 'U0V', now: NOW, awaiting: [req], inFlight: [], history: [], drills: [] }).blocks });
    const beside = home(collections());
    expect(beside).toContain('Restores `sales.orders`, `sales.customers` (2 namespaces) from snapshot `6748a9f0c1d2e3f4a5b6c7d8`');
    expect(beside).toContain('nothing there is replaced');
    expect(beside).not.toContain('ALL data');
    expect(home(request({ pointInTime: { utcSeconds: AT } }))).toMatch(/from the point in time 2026-02-28 14:05:07 UTC .*replaces \*ALL data\*/s);
  });
});
