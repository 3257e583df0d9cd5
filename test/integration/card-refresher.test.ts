// The card never goes back to an older state: two updates a moment apart (two approvers, the first poll racing
// the "submitted" update, two replicas) always end with a render of the newest stored request. Real Redis.
import { afterAll, describe, expect, it } from 'vitest';
import { createCardRefresher } from '../../src/slack/card-refresher.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { sampleRequest } from '../helpers/sample-request.js';
import { waitFor } from '../helpers/wait-for.js';
import { connect, deleteKeys, randomPrefix } from './store-fixtures.js';

const redis = connect();
const prefix = randomPrefix('card');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

function world() {
  let stored: RestoreRequest = sampleRequest({ state: 'pending_approval', updatedAt: 'v1' });
  const rendered: string[] = [];
  let release: (() => void) | undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const render = async (req: RestoreRequest) => {
    // The first render is slow (Slack took its time): a newer change arrives meanwhile.
    if (rendered.length === 0) await gate;
    rendered.push(String(req.updatedAt));
  };
  return {
    rendered,
    release: () => release?.(),
    store: (patch: Partial<RestoreRequest>) => (stored = { ...stored, ...patch }),
    load: async () => stored,
    render,
  };
}

describe('card refresher', () => {
  it('a newer change during a slow render is rendered after it, by the holder, on any replica', async () => {
    const w = world();
    // Two replicas: two refreshers on their own connections, one prefix.
    const other = connect();
    const a = createCardRefresher({ redis, prefix, load: w.load, render: w.render });
    const b = createCardRefresher({ redis: other, prefix, load: w.load, render: w.render });
    try {
      const first = a(sampleRequest({ id: 'RR-CARD01' }));
      await waitFor(async () => (await redis.exists(`${prefix}card:lease:RR-CARD01`)) === 1, { message: 'A holds the card' });
      w.store({ state: 'approved', updatedAt: 'v2' });
      await b(sampleRequest({ id: 'RR-CARD01' })); // returns at once: A renders it
      w.store({ state: 'running', updatedAt: 'v3' });
      await b(sampleRequest({ id: 'RR-CARD01' }));
      w.release();
      await first;
      expect(w.rendered.at(-1)).toBe('v3');
      expect(w.rendered[0]).toBe('v1');
    } finally {
      other.disconnect();
    }
  });

  it('twenty concurrent refreshes end with the newest state, rendered far fewer than twenty times', async () => {
    const w = world();
    w.release();
    const refresh = createCardRefresher({ redis, prefix, load: w.load, render: w.render });
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        w.store({ updatedAt: `v${i + 2}` });
        await refresh(sampleRequest({ id: 'RR-CARD02' }));
      }),
    );
    expect(w.rendered.at(-1)).toBe('v21');
    expect(w.rendered.length).toBeLessThan(20);
  });
});
