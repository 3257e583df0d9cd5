// The app's side of a Redis that lost the bot's data (here: every key under its prefix deleted, as a FLUSHALL or an
// empty replacement would): the store's warning reaches the operators (one error line naming the requests in flight,
// /readyz's warnings, a Prometheus counter), and what the bot itself keeps in Redis for the future, the drill
// schedules, is written again at once instead of at the next restart or policy change. The thread of a restore that
// was running hears that nothing follows it any more, and which Atlas job to check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, CHANNEL, GROUP_ID, logLines, requestRestore, startHarness, waitForState, type Harness } from './conversation-harness.js';
import { DRILL_POLICY } from './drill-policy.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ policyYaml: DRILL_POLICY });
});
afterAll(async () => {
  await h?.close();
});

async function readyz(): Promise<{ status: number; body: { ready: boolean; warnings?: string[] } }> {
  const res = await fetch(`${h.url}/readyz`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as { ready: boolean; warnings?: string[] } };
}

const nextRunOf = async (name: string) => (await h.app.services.listDrills()).find((d) => d.name === name)?.nextRunAt;

describe('Redis found without the bot data, in the running app', () => {
  it('is logged once with the requests in flight, shown by /readyz and counted, and the drill schedules come back', async () => {
    await waitFor(() => nextRunOf('ledger-weekly'), { message: 'the drill scheduled at start' });
    const running = await requestRestore(h, { source: 'ledger', target: 'staging', snapshotIndex: 0 });
    await h.click(APPROVER, 'restore_approve', running.id);
    const { atlasJobId } = await waitForState(h, running.id, 'running');
    // What the in-flight gauges read at a scrape is what the replica remembers as in flight.
    await (await fetch(`${h.url}/metrics`)).text();
    expect((await readyz()).body.warnings).toBeUndefined();

    const logged = logLines.length;
    const keys = await h.redis.keys(`${h.prefix}*`);
    await h.redis.del(...keys);
    expect(await nextRunOf('ledger-weekly')).toBeUndefined();

    const { status, body } = await readyz();
    expect(status).toBe(200);
    expect(body.warnings?.join('\n')).toContain(`${running.id} (running, into ${GROUP_ID}/staging, Atlas restore job ${atlasJobId}: Atlas may still be restoring)`);
    const errors = logLines.slice(logged).filter((l) => l.includes('REDIS_STATE_LOST'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('"level":50');
    expect(await (await fetch(`${h.url}/metrics`)).text()).toMatch(/^atlas_restore_redis_state_losses_total 1$/m);
    await waitFor(() => nextRunOf('ledger-weekly'), { message: 'the drill schedule written again' });

    // Its thread hears it too (and the channel: nothing else will say how it ends), naming the job to check in Atlas.
    const told = await h.waitForThread(running.id, /came back without them/);
    expect(told).toContain(`I no longer follow restore job \`${atlasJobId}\` of ${running.id}: Atlas may still be restoring into \`shop/staging\``);
    expect(h.slack.thread(CHANNEL, running.cardTs!).find((m) => told.startsWith(m.text))).toMatchObject({ subtype: 'thread_broadcast' });

    // Said once: the next probes carry it in /readyz, without another error line or thread message.
    await readyz();
    expect(logLines.slice(logged).filter((l) => l.includes('REDIS_STATE_LOST'))).toHaveLength(1);
    expect(h.threadTexts(running.id).filter((t) => t.includes('came back without them'))).toHaveLength(1);
  });
});
