// The tracker's voice in Slack: each event re-renders the card from the stored request and posts one thread message.
import type { RestoreNotifier } from '../restore/tracker.js';
import type { SlackMessenger } from './slack-messenger.js';
import {
  approvalExpiredMessage,
  finalMessage,
  jobStateMessage,
  longRunningMessage,
  statusUnknownMessage,
  trackingLostMessage,
} from './views/thread-messages.js';

export function createSlackNotifier(messenger: SlackMessenger, now: () => Date = () => new Date()): RestoreNotifier {
  return {
    async jobStateChanged(req, job) {
      await messenger.updateCard(req);
      if (job.state === 'pending' || job.state === 'running') await messenger.postInThread(req, jobStateMessage(req, job.state));
    },
    async restoreFinished(req) {
      await messenger.updateCard(req);
      await messenger.postInThread(req, finalMessage(req, now()));
    },
    async statusUnknown(req, error) {
      await messenger.postInThread(req, statusUnknownMessage(req, error.message));
    },
    async longRunning(req) {
      await messenger.postInThread(req, longRunningMessage(req, now()));
    },
    async trackingLost(req, error) {
      await messenger.updateCard(req);
      const hint = (error as { hint?: string }).hint;
      await messenger.postInThread(req, trackingLostMessage(req, { message: error.message, hint }));
    },
    async approvalExpired(req) {
      await messenger.updateCard(req);
      await messenger.postInThread(req, approvalExpiredMessage(req));
    },
  };
}
