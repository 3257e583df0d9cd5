// Slack may deliver one form submission twice: a retry (X-Slack-Retry-Num) after an answer it found slow, or a double
// delivery. One attempt at a time holds the view's claim (its value is the attempt's token) and records its outcome
// under that token: the request it made, or the errors it answered. Another delivery waits for that outcome, within its
// own clock, and answers the same, so whichever answer Slack keeps is true. A copy that closed the form at once, while
// the other attempt was then refused (target held, Redis failing, too slow), left a closed form, nothing requested and
// nothing said.
import { randomUUID } from 'node:crypto';
import type { Services } from './services.js';
import type { SubmitClock } from './submit-clock.js';

/** What the other attempt did; 'ended': it gave the claim back without saying (this delivery holds it now). */
export type OtherAttempt = { kind: 'made' } | { kind: 'refused'; errors: Record<string, string> } | { kind: 'ended' } | { kind: 'running' };

type Outcome = { made: string } | { errors: Record<string, string> };

/** Said on the form when the other delivery is still at work once this one must answer. */
export const STILL_SUBMITTING_TEXT =
  "This form's submission is still being handled. If it goes through, the request card appears in the channel; if not, submit again. Don't submit it twice.";

const CLAIM_TTL_SECONDS = 3600;
/** Long enough for a copy that arrives while the attempt runs; a later submit of the form makes an attempt of its own. */
const OUTCOME_TTL_SECONDS = 300;
const POLL_MS = 50;

export interface SubmissionAttempt {
  /** Undefined when this delivery holds the claim; else the token of the attempt that does. */
  otherHolder: string | undefined;
  /** This attempt made `requestId`. */
  made(requestId: string): Promise<void>;
  /** This attempt answered these errors and gives the claim back (a new submit of the form may make a request). */
  refused(errors: Record<string, string>): Promise<void>;
  /** Waits for the attempt holding the claim; after 'ended' this delivery holds it. */
  waitForOther(clock: SubmitClock): Promise<OtherAttempt>;
}

/** Rejects when Redis refuses the claim (the caller says the request couldn't be saved). */
export async function claimSubmission(services: Services, viewId: string): Promise<SubmissionAttempt> {
  const { store, redis, prefix, logger } = services;
  const claim = `submit:${viewId}`;
  const token = randomUUID();
  const outcomeKey = (of: string) => `${prefix}submit-outcome:${viewId}:${of}`;
  const record = (outcome: Outcome) =>
    redis.set(outcomeKey(token), JSON.stringify(outcome), 'EX', OUTCOME_TTL_SECONDS).then(
      () => undefined,
      (err: unknown) => logger.warn({ err }, 'could not record the outcome of the form submission'),
    );
  const holder = await store.claimAs(claim, token, CLAIM_TTL_SECONDS);
  return {
    otherHolder: holder === token ? undefined : holder,
    made: (requestId) => record({ made: requestId }),
    async refused(errors) {
      await record({ errors });
      await store.releaseClaim(claim).catch((err: unknown) => logger.warn({ err }, 'could not release the submission claim'));
    },
    async waitForOther(clock) {
      let other = holder;
      for (;;) {
        const raw = await redis.get(outcomeKey(other)).catch(() => null);
        const outcome = raw === null ? undefined : (JSON.parse(raw) as Outcome);
        if (outcome && 'made' in outcome) return { kind: 'made' };
        if (outcome) return { kind: 'refused', errors: outcome.errors };
        const now = await store.claimAs(claim, token, CLAIM_TTL_SECONDS).catch(() => other);
        if (now === token) return { kind: 'ended' };
        other = now; // a third delivery may have taken it meanwhile
        if (clock.left() <= POLL_MS) return { kind: 'running' };
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
  };
}
