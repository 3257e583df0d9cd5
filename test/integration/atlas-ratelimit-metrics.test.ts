// Atlas's Ratelimit-Remaining reaches /metrics: the whole app against the fake Atlas, which counts requests per
// endpoint family like Atlas does (fake-atlas-reality.ts: rateLimitHeaders), and records what it answered.
import { describe, expect, it } from 'vitest';
import { atlasEndpointLabel } from '../../src/http/metrics.js';
import { waitFor } from '../helpers/wait-for.js';
import { isFilledModal, REQUESTER, useHarness } from './conversation-harness.js';

const h = useHarness();

async function scrape(): Promise<string> {
  const res = await fetch(`${h.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

function gauge(text: string, name: string, endpoint: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{endpoint="${endpoint}"} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Opens the restore modal for `cluster` and waits until its snapshots are listed. */
async function openModal(cluster: string): Promise<void> {
  const viewsBefore = h.slack.views().length;
  await h.command(REQUESTER, `shop/${cluster}`);
  await waitFor(() => h.slack.views().slice(viewsBefore).find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v)), { message: 'filled modal' });
}

describe('/metrics shows how close the bot is to Atlas\'s rate limit', () => {
  it('the lowest Ratelimit-Remaining Atlas sent since the last scrape, and the limit, per endpoint family', async () => {
    await scrape(); // start a fresh "since the last scrape"
    const from = h.atlas.requests.length;
    for (let i = 0; i < 3; i++) await openModal('ledger');
    await openModal('orders');

    const sent = (endpoint: string) =>
      h.atlas.requests
        .slice(from)
        .filter((r) => r.authorized && atlasEndpointLabel(r.method, r.path) === endpoint && r.answerHeaders['Ratelimit-Remaining'] !== undefined)
        .map((r) => Number(r.answerHeaders['Ratelimit-Remaining']));
    const dedicated = sent('GET clusters/snapshots');
    expect(dedicated.length).toBeGreaterThanOrEqual(3);
    expect(new Set(dedicated).size).toBe(dedicated.length); // counting down, one per request

    const text = await scrape();
    expect(gauge(text, 'atlas_restore_atlas_ratelimit_remaining', 'GET clusters/snapshots')).toBe(Math.min(...dedicated));
    expect(gauge(text, 'atlas_restore_atlas_ratelimit_remaining', 'GET flexClusters/snapshots')).toBe(Math.min(...sent('GET flexClusters/snapshots')));
    expect(gauge(text, 'atlas_restore_atlas_ratelimit_limit', 'GET clusters/snapshots')).toBe(1200);
  });
});
