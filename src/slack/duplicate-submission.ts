// Slack may deliver one form submission twice: a retry (X-Slack-Retry-Num) after an answer it found slow, or a double
// delivery. One attempt at a time holds the view's claim; it records the request it made. Another delivery waits for
// that outcome, within its own clock, instead of closing the form at once: whichever answer Slack keeps is true. A
// copy that closed the form while the other attempt was then refused (target held, Redis failing, too slow) left the
// requester a closed form, nothing requested, and nothing said.
import type { Services } from './services.js';
import type { SubmitClock } from './submit-clock.js';

/** The other attempt made a request; it ended without one (the claim is now this delivery's); or it is still at work. */
export type OtherAttempt = 'made' | 'ended' | 'running';

/** Said on the form when the other delivery is still at work once this one must answer. */
export const STILL_SUBMITTING_TEXT =
  "This form's submission is still being handled. If it goes through, the request card appears in the channel; if not, submit again. Don't submit it twice.";

/** As long as the claim: a late copy still finds the outcome. */
const OUTCOME_TTL_SECONDS = 3600;
const POLL_MS = 50;

const outcomeKey = (services: Services, viewId: string) => `${services.prefix}submit-outcome:${viewId}`;

/** The attempt holding the claim made `requestId`: a copy waiting for it closes the form too. */
export async function recordSubmissionMade(services: Services, viewId: string, requestId: string): Promise<void> {
  await services.redis.set(outcomeKey(services, viewId), requestId, 'EX', OUTCOME_TTL_SECONDS).catch((err: unknown) => {
    services.logger.warn({ err, requestId }, 'could not record the outcome of the form submission');
  });
}

/** Waits for the attempt that holds `claim`; 'ended' means this delivery holds the claim now and makes its own attempt. */
export async function waitForOtherAttempt(services: Services, claim: string, viewId: string, clock: SubmitClock): Promise<OtherAttempt> {
  for (;;) {
    const made = await services.redis.get(outcomeKey(services, viewId)).catch(() => null);
    if (made) return 'made';
    if (await services.store.claimOnce(claim, OUTCOME_TTL_SECONDS).catch(() => false)) return 'ended';
    if (clock.left() <= POLL_MS) return 'running';
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
