// Collection-level requests through the real Bolt app (DESIGN.md §6 "Collection-level restore"): `only …` pre-fills
// the modal, the radio switches to it, CREATE_NEW needs no typed name and OVERWRITE_EXISTING does, bad namespaces
// come back inline, a Flex source can't. Up to the request and its card; the restore itself is the pipeline's.
import { describe, expect, it } from 'vitest';
import type { StoredView } from '../fakes/fake-slack.js';
import { waitFor } from '../helpers/wait-for.js';
import { REQUESTER, useHarness } from './conversation-harness.js';

const h = useHarness();
const errorsOf = (json: unknown) => (json as { errors?: Record<string, string> } | undefined)?.errors ?? {};
const ephemeral = (json: unknown) => (json as { text?: string } | undefined)?.text ?? '';
const blockIds = (view: StoredView) => (view.blocks as { block_id?: string }[]).map((b) => b.block_id);
const requestIds = async () => new Set((await h.app.services.store.listRecent(100)).map((r) => r.id));
const newRequest = (before: Set<string>) =>
  waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id) && r.cardTs), { message: 'posted request' });

async function modalFor(text: string, predicate: (view: StoredView) => boolean): Promise<StoredView> {
  const viewsBefore = h.slack.views().length;
  const cmd = await h.command(REQUESTER, text);
  expect(cmd.json ?? null).toBeNull();
  return waitFor(() => h.slack.views().slice(viewsBefore).find((v) => predicate(v) && !JSON.stringify(v.blocks).includes('Loading')), { message: `modal of ${text}` });
}
const hasNamespaces = (v: StoredView) => blockIds(v).includes('restore_namespaces');

describe('a collection-level restore', () => {
  it('`only a, b` pre-fills the box; CREATE_NEW by default, no typed name; the request and card say exactly what', async () => {
    const before = await requestIds();
    const modal = await modalFor('shop/ledger only sales.orders, sales.customers', hasNamespaces);
    const text = JSON.stringify(modal.blocks);
    expect(text).toContain('"initial_value":"sales.orders\\nsales.customers"');
    expect(text).toContain('The live data is left as it is');
    expect(blockIds(modal)).not.toContain('restore_confirmation');

    const res = await h.submitModal(modal, REQUESTER, { reason: 'orders collection dropped' });
    expect(res.json ?? null).toBeNull();
    const req = await newRequest(before);
    expect(req.namespaces).toEqual([{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'sales.customers' }]);
    expect(req.writeStrategy).toBe('CREATE_NEW');
    expect(req.indexStrategy).toBe('ALL');
    expect(req.pointInTime).toBeUndefined();
    const card = JSON.stringify(h.rootCard(req.id)!.blocks);
    expect(card).toContain('`sales.orders`\\n`sales.customers`');
    expect(card).toContain('Target (written beside the live data)');
    expect(card).not.toContain('ALL data');
    const audit = (await h.app.services.store.readAudit(200)).find((e) => e.requestId === req.id && e.type === 'requested');
    expect(audit?.detail).toContain('only sales.orders,sales.customers');
  });

  it('the "what" radio switches to namespaces; bad ones come back inline, every problem at once, and nothing is requested', async () => {
    const before = await requestIds();
    const modal = await modalFor('shop/ledger', (v) => blockIds(v).includes('restore_what'));
    const switched = await h.changeModal(modal, REQUESTER, 'what', { what: 'namespaces' }, hasNamespaces);
    expect(blockIds(switched)).toEqual(expect.arrayContaining(['restore_write_strategy', 'restore_index_strategy']));
    const res = await h.submitModal(switched, REQUESTER, { namespaces: 'sales.$orders\nsales.system.js, crm\nsales.orders,sales.orders, local.oplog.rs' });
    const error = errorsOf(res.json)['restore_namespaces'];
    expect(error).toContain('a collection name must not contain "$"');
    expect(error).toContain("system collections (system.*) can't be restored");
    expect(error).toContain('sales.orders is listed twice');
    expect(error).toContain("local.oplog.rs: local is one of MongoDB's own databases");
    expect(error).not.toContain('crm'); // a whole database beside collections is fine: one job takes both
    expect(await requestIds()).toEqual(before);
  });

  it('OVERWRITE_EXISTING brings the typed confirmation: refused inline without it; with it, the card says what is replaced', async () => {
    const before = await requestIds();
    const modal = await modalFor('shop/ledger only crm', hasNamespaces);
    const overwrite = await h.changeModal(modal, REQUESTER, 'writeStrategy', { writeStrategy: 'OVERWRITE_EXISTING' }, (v) => blockIds(v).includes('restore_confirmation'));
    expect(JSON.stringify(overwrite.blocks)).toContain('The namespaces you list are replaced on the target cluster');
    const fields = { writeStrategy: 'OVERWRITE_EXISTING', indexStrategy: 'NONE' };
    const refused = await h.submitModal(overwrite, REQUESTER, fields);
    expect(errorsOf(refused.json)).toEqual({ restore_confirmation: 'Type the target cluster name exactly: ledger' });
    expect(await requestIds()).toEqual(before);

    const res = await h.submitModal(overwrite, REQUESTER, { ...fields, confirmation: 'ledger' });
    expect(res.json ?? null).toBeNull();
    const req = await newRequest(before);
    expect(req).toMatchObject({ namespaces: [{ sourceNamespace: 'crm' }], writeStrategy: 'OVERWRITE_EXISTING', indexStrategy: 'NONE' });
    const card = JSON.stringify(h.rootCard(req.id)!.blocks);
    expect(card).toContain('Target (namespaces replaced)');
    expect(card).toContain('1 namespace on shop/ledger (crm) will be replaced');
  });

  it('into a Flex target: refused inline on the target (a collection restore goes into a dedicated cluster)', async () => {
    const modal = await modalFor('shop/ledger only sales.orders to shop/orders', hasNamespaces);
    const res = await h.submitModal(modal, REQUESTER, {});
    expect(errorsOf(res.json)['restore_target:shop/ledger']).toBe('A collection-level restore can only go into a dedicated cluster, and shop/orders is a Flex cluster.');
  });

  it('a list longer than the box: the ones left out stay named through every rebuild, the box survives being hidden, and only the boxed ones are requested', async () => {
    const all = Array.from({ length: 100 }, (_, i) => `sales.collection_with_a_rather_long_name_${String(i).padStart(3, '0')}`);
    const leftOut = (v: StoredView) => JSON.stringify(v.blocks.find((b) => (b as { block_id?: string }).block_id === 'restore_namespaces_info') ?? null);
    const modal = await modalFor(`shop/ledger only ${all.join(', ')}`, hasNamespaces);
    const boxed = (JSON.stringify(modal.blocks).match(/"initial_value":"(sales[^"]*)"/)?.[1] ?? '').split('\\n');
    expect(boxed.length).toBeGreaterThan(10);
    expect(boxed).toEqual(all.slice(0, boxed.length));
    const note = `${all.length - boxed.length} of the namespaces from the command did not fit in the box`;
    expect(leftOut(modal)).toContain(note);
    expect(leftOut(modal)).toContain(all[boxed.length]);

    // Slack sends back only what the box holds; the note comes from the modal's metadata.
    const overwrite = await h.changeModal(modal, REQUESTER, 'writeStrategy', { writeStrategy: 'OVERWRITE_EXISTING' }, (v) => blockIds(v).includes('restore_confirmation'));
    expect(leftOut(overwrite)).toContain(note);
    const createNew = await h.changeModal(overwrite, REQUESTER, 'writeStrategy', { writeStrategy: 'CREATE_NEW' }, (v) => !blockIds(v).includes('restore_confirmation'));
    expect(leftOut(createNew)).toContain(note);
    // Hidden and shown again, the full box comes back whole (deflated in the metadata, which holds 3000 characters).
    const whole = await h.changeModal(createNew, REQUESTER, 'what', { what: 'cluster' }, (v) => !hasNamespaces(v));
    const back = await h.changeModal(whole, REQUESTER, 'what', { what: 'namespaces' }, hasNamespaces);
    expect(JSON.stringify(back.blocks)).toContain(`"initial_value":${JSON.stringify(boxed.join('\n'))}`);
    expect(leftOut(back)).toContain(note);
    expect(leftOut(back)).toContain(all[boxed.length]);

    const before = await requestIds();
    const res = await h.submitModal(back, REQUESTER, { what: 'namespaces', writeStrategy: 'CREATE_NEW' });
    expect(res.json ?? null).toBeNull();
    expect((await newRequest(before)).namespaces?.map((n) => n.sourceNamespace)).toEqual(boxed);
  });
});

describe('where a collection-level restore is not possible', () => {
  it('`only` on a Flex or serverless source gets a private why', async () => {
    const flex = await h.command(REQUESTER, 'shop/orders only sales.orders');
    expect(ephemeral(flex.json)).toContain('`only …` restores single databases or collections, which `shop/orders` can\'t do: `shop/orders` is a Flex cluster');
    const serverless = await h.command(REQUESTER, 'shop/legacy only sales.orders');
    expect(ephemeral(serverless.json)).toContain('is a serverless instance');
  });

  it('a malformed `only` list gets every problem and the usage, privately', async () => {
    const res = await h.command(REQUESTER, 'shop/ledger only sales.$x, , sales');
    const text = ephemeral(res.json);
    expect(text).toContain('a collection name must not contain "$"');
    expect(text).toContain('item 2 is empty');
    expect(text).toContain('*Usage*');
  });
  it('switching to the whole cluster and back keeps the namespaces typed; a whole-cluster submit ignores them', async () => {
    const modal = await modalFor('shop/ledger', (v) => blockIds(v).includes('restore_what'));
    const namespaces = await h.changeModal(modal, REQUESTER, 'what', { what: 'namespaces' }, hasNamespaces);
    const typed = 'sales.orders\nsales.customers';
    const whole = await h.changeModal(namespaces, REQUESTER, 'what', { what: 'cluster', namespaces: typed }, (v) => !hasNamespaces(v));
    const back = await h.changeModal(whole, REQUESTER, 'what', { what: 'namespaces' }, hasNamespaces);
    expect(JSON.stringify(back.blocks)).toContain('"initial_value":"sales.orders\\nsales.customers"');

    // Submitted as the whole cluster, the hidden list is not a collection restore.
    const before = await requestIds();
    const res = await h.submitModal(whole, REQUESTER, { what: 'cluster', confirmation: 'ledger' });
    expect(res.json ?? null).toBeNull();
    expect((await newRequest(before)).namespaces).toBeUndefined();
  });
});
