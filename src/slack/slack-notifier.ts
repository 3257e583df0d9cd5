// The restore's voice in Slack: each event re-renders the card from the stored request and posts one thread message.
// Texts come from Atlas error hints and codes, never from error messages (those carry API paths and ids: logs only).
import { AtlasApiError, statusAndCode } from '../atlas/errors.js';
import type { RestoreNotifier } from '../restore/tracker.js';
import type { DrillRun } from '../restore/drill-definition.js';
import type { RestoreRequest } from '../restore/types.js';
import { drillNotStartedMessage, drillStartedMessage } from './views/drill-messages.js';
import { progressMessage, safetySnapshotCompletedMessage, safetySnapshotStartedMessage } from './views/restore-progress-messages.js';
import { CHANNEL_GONE_ERRORS, slackError, type SlackMessenger } from './slack-messenger.js';
import {
  accessProblemMessage,
  approvalExpiredMessage,
  approvalsDroppedMessage,
  cancelledMessage,
  finalMessage,
  jobStateMessage,
  lastWord,
  longRunningMessage,
  notSubmittedMessage,
  rejectedMessage,
  requestPostedMessage,
  statusUnknownMessage,
  submitRefusedMessage,
  submitWaitingMessage,
  submittedMessage,
  trackingLostMessage,
  unconfirmedSubmitMessage,
  unknownJobStateMessage,
  type ThreadMessage,
} from './views/thread-messages.js';

/** What people may read about an error: the hint and the code for Atlas errors, a generic line otherwise. */
export function peopleText(error: Error): { message: string; code?: string | undefined } {
  if (error instanceof AtlasApiError) return { message: error.hint, code: statusAndCode(error) };
  const code = (error as { code?: unknown }).code;
  return { message: 'An unexpected error; the bot log has the details.', code: typeof code === 'string' ? code : undefined };
}

export interface NotifierOptions {
  /** A drill's previous runs, newest first, for its final message. */
  drillRuns?: (name: string, count: number) => Promise<DrillRun[]>;
}

export function createSlackNotifier(messenger: SlackMessenger, now: () => Date = () => new Date(), opts: NotifierOptions = {}): RestoreNotifier {
  /** Most events change the card and add one message to its thread. */
  const cardAndThread = async (req: RestoreRequest, message: ThreadMessage) => {
    await messenger.updateCard(req);
    await messenger.postInThread(req, message);
  };
  /** A request's last word: if Slack doesn't take it, the settle step tries again (a lost one is a silent end). */
  const finalWord = async (req: RestoreRequest, message: ThreadMessage) => {
    await messenger.updateCard(req);
    try {
      await messenger.postInThread(req, lastWord(req, message), { mustArrive: true });
    } catch (err) {
      // The channel was archived or the bot removed: the thread can't be told any more, the requester still can.
      if (req.drill || !CHANNEL_GONE_ERRORS.has(slackError(err))) throw err;
      await messenger.directMessage(req.requester, `${message.text}\nI couldn't post this in <#${req.channel}> (${slackError(err)}); \`/atlas-restore status ${req.id}\` has the details.`, { mustArrive: true });
    }
  };
  return {
    requestChanged: (req) => messenger.updateCard(req),
    submitted: (req, how) => cardAndThread(req, submittedMessage(req, how)),
    async submitWaiting(req, wait) {
      await messenger.postInThread(req, submitWaitingMessage(req, wait));
    },
    notSubmitted: (req) => finalWord(req, notSubmittedMessage(req)),
    submitRefused: (req, error) => finalWord(req, submitRefusedMessage(req, error)),
    submitUnconfirmed: (req) => finalWord(req, unconfirmedSubmitMessage(req)),
    approvalsDropped: (req, dropped) => cardAndThread(req, approvalsDroppedMessage(req, dropped, now())),
    async accessProblem(req, error) {
      await messenger.postInThread(req, accessProblemMessage(req, error));
    },
    async jobStateChanged(req, job) {
      // The card follows through requestChanged once the new state is stored.
      if (job.state === 'pending' || job.state === 'running') await messenger.postInThread(req, jobStateMessage(req, job.state));
      else if (job.state === 'unknown') await messenger.postInThread(req, unknownJobStateMessage(req, job.atlasStatus));
    },
    async restoreFinished(req) {
      const previous = req.drill && opts.drillRuns ? await opts.drillRuns(req.drill.name, 6).catch(() => []) : [];
      await finalWord(req, finalMessage(req, now(), previous));
    },
    async statusUnknown(req, error) {
      const { message, code } = peopleText(error);
      await messenger.postInThread(req, statusUnknownMessage(req, code ? `${message} ${code}` : message));
    },
    async longRunning(req) {
      await messenger.postInThread(req, longRunningMessage(req, now()));
    },
    trackingLost: (req, error) => finalWord(req, trackingLostMessage(req, peopleText(error))),
    approvalExpired: (req) => finalWord(req, approvalExpiredMessage(req)),
    endedByPerson: (req) => finalWord(req, req.state === 'rejected' ? rejectedMessage(req) : cancelledMessage(req)),
    async publishRequest(req) {
      const posted = await messenger.postCard(req);
      if (!posted.ok) return undefined;
      await messenger.postInThread({ ...req, cardTs: posted.ts }, req.drill ? drillStartedMessage(req) : requestPostedMessage(req));
      return posted.ts;
    },
    safetySnapshotStarted: (req) => cardAndThread(req, safetySnapshotStartedMessage(req)),
    safetySnapshotCompleted: (req) => cardAndThread(req, safetySnapshotCompletedMessage(req)),
    progress: (req) => messenger.postInThread(req, progressMessage(req)),
    drillNotStarted: (drill, reason) => messenger.postToChannel(drill.channel, drillNotStartedMessage(drill, reason)),
  };
}
