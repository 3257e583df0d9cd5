// The restore's voice in Slack: each event re-renders the card from the stored request and posts one thread message.
// Texts come from Atlas error hints and codes, never from error messages (those carry API paths and ids: logs only).
import { AtlasApiError, statusAndCode } from '../atlas/errors.js';
import type { RestoreNotifier } from '../restore/tracker.js';
import type { SlackMessenger } from './slack-messenger.js';
import {
  accessProblemMessage,
  approvalExpiredMessage,
  approvalsDroppedMessage,
  finalMessage,
  jobStateMessage,
  longRunningMessage,
  notSubmittedMessage,
  statusUnknownMessage,
  submitRefusedMessage,
  submitWaitingMessage,
  submittedMessage,
  trackingLostMessage,
  unconfirmedSubmitMessage,
} from './views/thread-messages.js';

/** What people may read about an error: the hint and the code for Atlas errors, a generic line otherwise. */
export function peopleText(error: Error): { message: string; code?: string | undefined } {
  if (error instanceof AtlasApiError) return { message: error.hint, code: statusAndCode(error) };
  const code = (error as { code?: unknown }).code;
  return { message: 'An unexpected error; the bot log has the details.', code: typeof code === 'string' ? code : undefined };
}

export function createSlackNotifier(messenger: SlackMessenger, now: () => Date = () => new Date()): RestoreNotifier {
  return {
    requestChanged: (req) => messenger.updateCard(req),
    async submitted(req, how) {
      await messenger.updateCard(req);
      await messenger.postInThread(req, submittedMessage(req, how));
    },
    async submitWaiting(req, wait) {
      await messenger.postInThread(req, submitWaitingMessage(req, wait));
    },
    async notSubmitted(req) {
      await messenger.updateCard(req);
      await messenger.postInThread(req, notSubmittedMessage(req));
    },
    async submitRefused(req, error) {
      await messenger.updateCard(req);
      await messenger.postInThread(req, submitRefusedMessage(req, error));
    },
    async submitUnconfirmed(req) {
      await messenger.updateCard(req);
      await messenger.postInThread(req, unconfirmedSubmitMessage(req));
    },
    async approvalsDropped(req, dropped) {
      await messenger.updateCard(req);
      await messenger.postInThread(req, approvalsDroppedMessage(req, dropped));
    },
    async accessProblem(req, error) {
      await messenger.postInThread(req, accessProblemMessage(req, error));
    },
    async jobStateChanged(req, job) {
      // The card follows through requestChanged once the new state is stored.
      if (job.state === 'pending' || job.state === 'running') await messenger.postInThread(req, jobStateMessage(req, job.state));
    },
    async restoreFinished(req) {
      await messenger.updateCard(req);
      await messenger.postInThread(req, finalMessage(req, now()));
    },
    async statusUnknown(req, error) {
      const { message, code } = peopleText(error);
      await messenger.postInThread(req, statusUnknownMessage(req, code ? `${message} ${code}` : message));
    },
    async longRunning(req) {
      await messenger.postInThread(req, longRunningMessage(req, now()));
    },
    async trackingLost(req, error) {
      await messenger.updateCard(req);
      await messenger.postInThread(req, trackingLostMessage(req, peopleText(error)));
    },
    async approvalExpired(req) {
      await messenger.updateCard(req);
      await messenger.postInThread(req, approvalExpiredMessage(req));
    },
  };
}
