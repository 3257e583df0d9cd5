// A drill with DRY_RUN=true through the real app: its request runs every step but the POST and ends 'completed', yet
// it restored nothing. It is recorded as a dry run: no last success or restore time for the metrics (the stale-drill
// alert must not go quiet), and `drills` and the App Home say it was a dry run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrillHistory } from '../../src/restore/drill-history.js';
import { waitFor } from '../helpers/wait-for.js';
import { DRILL_POLICY } from './drill-policy.js';
import { homeText, openHome } from './home-helpers.js';
import { APPROVER, commandAnswer, REQUESTER, startHarness, waitForState, type Harness } from './conversation-harness.js';

const POLICY = DRILL_POLICY;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ policyYaml: POLICY, dryRun: true });
});
afterAll(async () => {
  await h?.close();
});

const answer = (user: string, text: string): Promise<string> => commandAnswer(h, user, text);

describe('a drill with DRY_RUN on', () => {
  it('is recorded as a dry run: no success in the metrics, and `drills` and the App Home say so', async () => {
    expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
    const req = await waitFor(async () => (await h.app.services.store.listRecent(10)).find((r) => r.drill?.name === 'ledger-weekly'), { message: 'the drill request' });
    const done = await waitForState(h, req.id, 'completed');
    expect(done.dryRun).toBe(true);
    expect(h.postsToAtlas()).toBe(0);

    // The history as the app keeps it (its tracker's key prefix); recorded by the settle, after the state. Its start
    // (`in_progress`) is recorded first: the end replaces it a moment after the state.
    const history = createDrillHistory(h.redis, `${h.prefix}bull:drills:`);
    const ended = async () => (await history.recent('ledger-weekly', 1)).find((r) => r.state !== 'in_progress');
    const run = await waitFor(ended, { message: 'the run recorded as it ended' });
    expect(run).toMatchObject({ requestId: req.id, state: 'dry_run' });
    expect(run.restoreMs).toBeUndefined();
    expect((await history.standing('ledger-weekly')).lastSuccess).toBeUndefined();

    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).not.toMatch(/atlas_restore_drill_last_success_timestamp_seconds\{drill="ledger-weekly"\}/);
    expect(metrics).not.toMatch(/atlas_restore_drill_duration_seconds\{drill="ledger-weekly"\}/);
    // The alert's fallback is there: the wait for a first real success goes on.
    expect(metrics).toMatch(/atlas_restore_drill_first_scheduled_timestamp_seconds\{drill="ledger-weekly"\} \d/);

    const listing = await answer(REQUESTER, 'drills');
    expect(listing).toMatch(new RegExp(`last: \\*dry run\\* .*\\(${req.id}\\): \`DRY_RUN\` was on, so nothing was sent to Atlas`));
    expect(listing).not.toMatch(/completed|restore time/);
    const home = homeText(await openHome(h, APPROVER));
    expect(home).toMatch(new RegExp(`Last run: \\*dry run\\* .*\\(${req.id}\\)`));
    expect(home).not.toMatch(/restore time/);
  });
});
