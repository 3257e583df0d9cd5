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

/** The card was deleted (a tombstone, or gone) or its thread locked: no reply is taken, the channel still takes messages. */
const THREAD_GONE_ERRORS: ReadonlySet<string> = new Set(['thread_not_found', 'cannot_reply_to_message', 'restricted_action_thread_locked']);
/** Slack refuses the message's blocks or length: the same words as plain text are taken. */
const UNSHOWABLE_ERRORS: ReadonlySet<string> = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'msg_blocks_too_long']);
/** A direct message no retry will deliver (the user is gone, or can't be written to); anything else may pass. */
const DM_REFUSED_ERRORS: ReadonlySet<string> = new Set(['channel_not_found', 'user_not_found', 'user_disabled', 'cannot_dm_bot', 'is_archived', 'not_in_channel', 'restricted_action', 'messages_tab_disabled']);
/** Plain text is shown up to 4,000 characters before Slack folds it; the blocks' words fit well below. */
const PLAIN_TEXT_CHARS = 3900;

/** Thrown when no way of telling anyone is left: retrying won't change it (the settle step gives up at once, loudly). */
export class FinalWordUndeliverable extends Error {
  readonly permanent = true;
  constructor(requestId: string, why: string) {
    super(`the final message of ${requestId} can't be delivered: ${why}`);
  }
}

/** The message's words as plain text: its sections' text (the blocks are what people read), or its text. */
export function plainWords(message: ThreadMessage): string {
  const sections = (message.blocks ?? []).flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
  const words = sections.length > 0 ? sections.join('\n') : message.text;
  return words.length > PLAIN_TEXT_CHARS ? `${words.slice(0, PLAIN_TEXT_CHARS - 1)}…` : words;
}

/**
 * A request's last word where people will read it: its thread; as plain text when Slack refuses its blocks; the
 * channel itself when the card was deleted; direct messages to the requester and the approvers when the channel is
 * gone (archived, the bot removed). Throws what a retry may mend, and FinalWordUndeliverable when nothing can.
 */
async function deliverFinalWord(messenger: SlackMessenger, req: RestoreRequest, message: ThreadMessage): Promise<void> {
  let error = await attempt(() => messenger.postInThread(req, message, { mustArrive: true }));
  if (error && UNSHOWABLE_ERRORS.has(slackError(error))) error = await attempt(() => messenger.postInThread(req, { text: plainWords(message), ...(message.broadcast ? { broadcast: true } : {}) }, { mustArrive: true }));
  if (!error) return;
  if (THREAD_GONE_ERRORS.has(slackError(error))) {
    const note = `_The thread of ${req.id} takes no replies any more (its card was deleted, or the thread locked), so its outcome is posted here._`;
    error = await attempt(() => messenger.postToChannel(req.channel, { text: `${plainWords(message)}\n${note}` }));
    if (!error) return;
  }
  if (!CHANNEL_GONE_ERRORS.has(slackError(error))) throw error;
  await directMessages(messenger, req, message, slackError(error));
}

/** The outcome to each person concerned: delivered once any of them took it (a retry would repeat it to the others). */
async function directMessages(messenger: SlackMessenger, req: RestoreRequest, message: ThreadMessage, why: string): Promise<void> {
  // A drill's requester is the drill, not a person; a DM to a deactivated user is taken and read by no one: all of them.
  const people = [...new Set([req.requester, ...req.approvals.map((a) => a.user)])].filter((u) => !req.drill || u !== req.requester);
  const text = `${plainWords(message)}\nI couldn't post this in <#${req.channel}> (${why}); \`/atlas-restore status ${req.id}\` has the details.`;
  const outcomes = await Promise.all(people.map((user) => attempt(() => messenger.directMessage(user, text, { mustArrive: true }))));
  const errors = outcomes.filter((e) => e !== undefined);
  if (errors.length < people.length) return; // those refused were logged by the messenger
  const passing = errors.find((e) => !DM_REFUSED_ERRORS.has(slackError(e)));
  if (passing) throw passing;
  throw new FinalWordUndeliverable(req.id, `${why} in <#${req.channel}>, and ${people.length === 0 ? 'nobody to write to directly' : `no direct message taken (${errors.map(slackError).join(', ')})`}`);
}

const attempt = async (post: () => Promise<void>): Promise<unknown> => {
  try {
    await post();
    return undefined;
  } catch (err) {
    return err;
  }
};

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
    await deliverFinalWord(messenger, req, lastWord(req, message));
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
