import { describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../../src/restore/types.js';
import { helpText, renderList, renderStatus } from '../../../src/slack/views/status-views.js';
import {
  approvalExpiredMessage,
  approvalRecordedMessage,
  accessProblemMessage,
  submitRefusedMessage,
  submitWaitingMessage,
  cancelledMessage,
  finalMessage,
  jobStateMessage,
  lastWord,
  notSubmittedMessage,
  longRunningMessage,
  refusedMessage,
  rejectedMessage,
  requestPostedMessage,
  statusUnknownMessage,
  submittedMessage,
  unknownJobStateMessage,
} from '../../../src/slack/views/thread-messages.js';
import { buildRequestCard, plainState } from '../../../src/slack/views/request-card.js';
import { messageToText } from '../../fakes/flatten-blocks.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const NOW = new Date('2026-03-01T12:00:00Z');

function request(overrides: Partial<RestoreRequest> = {}): RestoreRequest {
  return sampleRequest({ state: 'running', atlasJobId: 'job-42', submittedAt: '2026-03-01T10:06:00Z', ...overrides });
}

describe('thread messages', () => {
  it('request posted pings approvers (users and groups) and says how many approvals', () => {
    const m = requestPostedMessage(request({ state: 'pending_approval' }), ['U0APP', 'S0GROUP']);
    expect(m.text).toMatch(/^<@U0APP>, <!subteam\^S0GROUP>: <@U0REQUESTER> asks to restore/);
    expect(m.text).toContain('needs 2 approvals');
  });

  it('request posted in a direct message with the bot: says its approvers are not notified and where they can approve', () => {
    const m = requestPostedMessage(request({ state: 'pending_approval', channel: 'D0BOTDM01' }), ['U0APP']);
    expect(m.text).toMatch(/^<@U0REQUESTER> asks to restore/);
    expect(m.text).toContain("This is a direct message with the bot: its approvers (<@U0APP>) can't see this card and aren't notified.");
    expect(m.text).toContain("App Home");
    expect(m.text).not.toContain('Use the buttons on the card above');
  });

  it('approval recorded shows n of m and what is left', () => {
    expect(approvalRecordedMessage(request(), 'U0FIRST').text).toContain('<@U0FIRST> approved (1 of 2). 1 more needed.');
    const done = request({ approvals: [{ user: 'U0A', at: '' }, { user: 'U0B', at: '' }] });
    expect(approvalRecordedMessage(done, 'U0B').text).not.toContain('more needed');
  });

  it('submitted names the job, or says nothing was sent in a dry run', () => {
    expect(submittedMessage(request()).text).toContain('Atlas job `job-42`');
    expect(submittedMessage(request({ dryRun: true, atlasJobId: undefined })).text).toContain('Dry run: no restore was sent');
  });

  it('Atlas refusal shows the hint once and the code, escaped, and no API path', () => {
    const m = submitRefusedMessage(request(), { message: 'Atlas is rate limiting the bot: wait <a> minute.', code: '429 RATE_LIMITED' });
    expect(m.text).toContain('wait &lt;a&gt; minute.');
    expect(m.text).toContain('`429 RATE_LIMITED`');
    expect(m.text.match(/rate limiting/g)).toHaveLength(1);
    expect(m.text).not.toMatch(/\/api\/atlas/);
  });

  it('waiting for Atlas says nothing was sent and until when it keeps trying', () => {
    const m = submitWaitingMessage(request({ state: 'approved' }), { message: 'Atlas had an internal error. (500 UNEXPECTED_ERROR)', until: '2026-03-01T12:30:00Z' });
    expect(m.text).toContain('approved but not submitted yet');
    expect(m.text).toContain('Nothing has been sent to Atlas');
    expect(m.text).toContain('<!date^');
    // Once a safety snapshot was asked for, only the restore is unsent.
    const asked = submitWaitingMessage(request({ state: 'submitting', safetySnapshotClaimedAt: '2026-03-01T12:00:00Z' }), { message: 'Atlas can\'t take the safety snapshot of the target yet.', until: '2026-03-01T12:30:00Z' });
    expect(asked.text).toContain('The restore has not been sent to Atlas.');
    expect(asked.text).not.toContain('Nothing has been sent');
  });

  it('an access problem while polling says what to fix and that the restore goes on', () => {
    const m = accessProblemMessage(request(), { message: 'Atlas rejected the bot credentials.', code: '401 USER_UNAUTHORIZED' });
    expect(m.text).toContain('`401 USER_UNAUTHORIZED`');
    expect(m.text).toContain('The restore goes on in Atlas');
    expect(m.text).toMatch(/^:warning: Atlas refuses the bot while/);
    // A certificate the bot doesn't trust: Atlas never said anything.
    const tls = accessProblemMessage(request(), { message: 'Give the bot the proxy CA in NODE_EXTRA_CA_CERTS.', code: 'ATLAS_TLS_ERROR' });
    expect(tls.text).toMatch(/^:warning: The bot can't trust the connection to Atlas while .* is restoring \(`ATLAS_TLS_ERROR`\)/);
  });

  it('an access problem while looking for the job of a lost POST: no "goes on", the target locked, no second POST', () => {
    const info = { message: 'Add the IP to the access list.', code: '403 IP_ADDRESS_NOT_ON_ACCESS_LIST' };
    const looking = accessProblemMessage(request({ state: 'submitting' }), info).text;
    expect(looking).toContain('look for the restore job');
    expect(looking).not.toContain('The restore goes on in Atlas');
    expect(looking).toMatch(/stays locked\. I won't send the restore again/);
    const late = accessProblemMessage(request({ state: 'failed', lateAdoptUntil: '2026-12-03T08:00:00.000Z' }), info).text;
    expect(late).toMatch(/stays locked until <!date\^\d+\^/);
  });

  it('job state changes', () => {
    expect(jobStateMessage(request(), 'pending').text).toContain('queued');
    expect(jobStateMessage(request(), 'running').text).toContain('running');
  });

  it.each([
    ['completed', 'Restore completed'],
    ['failed', 'Restore failed'],
    ['cancelled', 'Restore cancelled'],
    ['expired', 'Restore expired'],
  ] as const)('final %s says %s with duration, job id and the requester', (state, title) => {
    const m = finalMessage(request({ state, finishedAt: '2026-03-01T10:48:30Z', failureReason: 'oplog gap', cancelledBy: 'U0OPS' }), NOW);
    expect(m.text).toMatch(new RegExp(`^${title}: RR-7K3P2Q`));
    const body = JSON.stringify(m.blocks);
    expect(body).toContain(`*${title}* after 42 min`);
    expect(body).toContain('Atlas job `job-42`');
    expect(body).toContain('<@U0REQUESTER>');
    if (state === 'failed') expect(body).toContain('Atlas says: oplog gap');
    else expect(body).not.toContain('oplog gap');
  });

  it('final message uses now when finishedAt is missing', () => {
    const m = finalMessage(request({ state: 'completed' }), NOW);
    expect(JSON.stringify(m.blocks)).toContain('after 1 h 54 min');
  });

  it('status unknown, long running, rejected, cancelled, approval expired, refused', () => {
    expect(statusUnknownMessage(request(), 'ETIMEDOUT').text).toMatch(/can't be reached.*ETIMEDOUT.*unknown/);
    expect(longRunningMessage(request(), NOW).text).toContain('running for 1 h 54 min');
    expect(rejectedMessage(request({ state: 'rejected', rejectedBy: 'U0NO' })).text).toContain('rejected by <@U0NO>');
    expect(cancelledMessage(request({ state: 'cancelled', cancelledBy: 'U0REQUESTER' })).text).toContain('cancelled by <@U0REQUESTER>');
    expect(approvalExpiredMessage(request({ state: 'approval_expired' })).text).toContain('1 of 2 approvals');
    expect(refusedMessage(request(), 'U0X', "You're not an approver.").text).toBe("<@U0X>, that didn't go through for RR-7K3P2Q: You're not an approver.".replace(/^/, ':no_entry: '));
  });
});

describe('a job in a state the bot does not know', () => {
  const unknown = request({ lastJobState: 'unknown', lastAtlasStatus: 'CANCELLED' });

  it('the thread says what Atlas reports, that the target stays locked, and where to look', () => {
    expect(unknownJobStateMessage(unknown, 'CANCELLED').text).toBe(
      ":grey_question: Atlas reports restore job `job-42` as `CANCELLED`, a state I don't recognise. I keep following it, and `shop/orders-staging` (dedicated) stays locked until Atlas reports a state I know. " +
        "Check the restore in the Atlas UI (the cluster's Backup page, Restores).",
    );
    expect(unknownJobStateMessage(unknown, undefined).text).toMatch(/^:grey_question: Atlas reports restore job `job-42` in a state I don't recognise\. I keep following it/);
  });

  it('the card, status and notification text say the state is unknown, not that the restore runs', () => {
    const card = messageToText(buildRequestCard(unknown, NOW));
    expect(card).toContain(":grey_question: *State unknown* (Atlas job `job-42`): Atlas reports `CANCELLED`, a state I don't recognise; check the restore in the Atlas UI.");
    expect(card).not.toContain('Restore running');
    const status = renderStatus(unknown, undefined, NOW);
    expect(status).toContain('*State unknown*');
    expect(status).toContain('Atlas job `job-42`, last seen unknown (Atlas says `CANCELLED`)');
    expect(plainState(unknown)).toBe('state unknown');
    // Without Atlas's word (adopted in that state, or stored by an earlier version).
    expect(renderStatus({ ...unknown, lastAtlasStatus: undefined }, undefined, NOW)).toContain("*State unknown* (Atlas job `job-42`): Atlas reports a state I don't recognise; check the restore in the Atlas UI.");
  });
});

describe('status views', () => {
  it('renderStatus shows state, clusters, snapshot, job and a link to the thread', () => {
    const text = renderStatus(request({ lastJobState: 'running' }), 'https://x.slack.com/archives/C1/p1', NOW);
    expect(text).toContain('<https://x.slack.com/archives/C1/p1|open thread>');
    expect(text).toContain('*Restore running*');
    expect(text).toContain('`shop/orders`');
    expect(text).toContain('`shop/orders-staging`');
    expect(text).toContain('Atlas job `job-42`, last seen running');
  });

  it('renderList has both sections, permalinks from a map or record, and empty texts', () => {
    const a = request();
    const b = request({ id: 'RR-OLD', state: 'completed', dryRun: true });
    const text = renderList([a], [b], new Map([['RR-7K3P2Q', 'https://p/1']]));
    expect(text).toContain('*In flight*\n• <https://p/1|RR-7K3P2Q>');
    expect(text).toContain('• *RR-OLD* [dry run]');
    expect(renderList([], [], { 'RR-1': 'x' })).toContain('No restore is waiting for approval or running.');
  });

  it('help text includes the usage and the warning', () => {
    expect(helpText()).toContain('/atlas-restore status');
    expect(helpText()).toContain('replaces *all* data');
  });
});

describe('drill final messages', () => {
  const drill = (state: RestoreRequest['state']) =>
    sampleRequest({ state, requester: 'drill:nightly', drill: { name: 'nightly', trigger: 'schedule' }, atlasJobId: 'job-9', submittedAt: '2026-03-01T10:00:00Z', finishedAt: '2026-03-01T10:14:00Z', snapshot: { id: 'snap', createdAt: '2026-03-01T07:00:00Z' } });

  it('a completed drill gives its restore time and snapshot age, against its previous runs', () => {
    const m = finalMessage(drill('completed'), NOW, [{ requestId: 'RR-OLD001', state: 'completed', restoreMs: 10 * 60_000 }]);
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('*Restore time:* 14 min');
    expect(text).toContain('*Snapshot age at the start:* 3 h');
    expect(text).toContain('10 min; 40 % slower than their average');
    expect(m.broadcast).toBeUndefined();
    expect(text).not.toContain('<@drill:');
  });

  it('names the previous runs that restored nothing for what they were', () => {
    const previous = [
      { state: 'not_started', reason: 'the target was busy', finishedAt: '2026-02-22T10:00:00Z' },
      { requestId: 'RR-OLD002', state: 'unconfirmed', reason: 'Atlas did not confirm the restore job.' },
      { requestId: 'RR-OLD001', state: 'completed', restoreMs: 10 * 60_000 },
    ];
    expect(JSON.stringify(finalMessage(drill('completed'), NOW, previous).blocks)).toContain('*Previous runs* (newest first): did not run, outcome unknown, 10 min;');
  });

  it('counts from the POST for a job adopted after a lost answer: thread and status alike', () => {
    // The POST left at 10:00; the search found the job at 10:40, already completed at 10:25.
    const adopted = { ...drill('completed'), postStartedAt: '2026-03-01T10:00:00Z', submittedAt: '2026-03-01T10:40:00Z', finishedAt: '2026-03-01T10:25:00Z' };
    const text = JSON.stringify(finalMessage(adopted, NOW).blocks);
    expect(text).toContain('completed* after 25 min');
    expect(text).toContain('*Restore time:* 25 min');
    expect(text).toContain('*Snapshot age at the start:* 3 h');
    expect(renderStatus(adopted, undefined, NOW)).toMatch(/took 25 min/);
  });

  it('a failed drill is shown in the channel too (reply_broadcast), so it does not go unnoticed', () => {
    expect(lastWord(drill('failed'), finalMessage(drill('failed'), NOW)).broadcast).toBe(true);
  });

  it('so is any last word of a drill that did not complete (refused, not submitted, lost), and no request\'s', () => {
    const ended = { ...drill('failed'), failureReason: 'Not submitted: the snapshot is gone.' };
    expect(lastWord(ended, notSubmittedMessage(ended)).broadcast).toBe(true);
    expect(lastWord(ended, submitRefusedMessage(ended, { message: 'A restore is already running.' })).broadcast).toBe(true);
    expect(lastWord(drill('completed'), { text: 'dry run' }).broadcast).toBeUndefined();
    const request = sampleRequest({ state: 'failed', failureReason: 'Not submitted: the snapshot is gone.' });
    expect(lastWord(request, notSubmittedMessage(request)).broadcast).toBeUndefined();
  });
});
