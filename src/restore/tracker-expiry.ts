// Approval expiry: a request still pending approval at its expiry becomes 'approval_expired', its
// target lock is released, the audit says so and the notifier is told, by the one run that wins the CAS
// (or, after a crash, by the re-run that finds the intent: see tracker-marks.ts).
import { settleFinal } from './tracker-settle.js';
import type { TrackerContext } from './tracker-types.js';

export type ExpiryOutcome =
  | { kind: 'expired'; settled: boolean } // this call made the transition; settled: false when another run holds the notification
  | { kind: 'settled' } // already expired; owed effects delivered (or nothing was owed)
  | { kind: 'not_due'; dueAt: number } // still pending, expiry later (it was moved)
  | { kind: 'busy' } // another run is delivering the notification right now
  | { kind: 'noop'; state: string }; // approved, rejected, gone...

export async function expireApproval(ctx: TrackerContext, requestId: string, now = Date.now()): Promise<ExpiryOutcome> {
  const req = await ctx.store.get(requestId);
  if (!req) return { kind: 'noop', state: 'missing' };
  if (req.state === 'approval_expired') {
    const outcome = await settleFinal(ctx, req);
    return outcome === 'busy' ? { kind: 'busy' } : { kind: 'settled' };
  }
  if (req.state !== 'pending_approval') return { kind: 'noop', state: req.state };
  const dueAt = Date.parse(req.approvalExpiresAt);
  if (Number.isFinite(dueAt) && dueAt > now) return { kind: 'not_due', dueAt };

  await ctx.marks.setIntent(requestId, { kind: 'approval_expired' });
  const result = await ctx.store.transition(requestId, ['pending_approval'], 'approval_expired', {});
  if (!result.ok) {
    // Approved or rejected at the last moment, or another replica expired it (it then settles).
    if (result.request?.state === 'approval_expired') {
      const outcome = await settleFinal(ctx, result.request);
      return outcome === 'busy' ? { kind: 'busy' } : { kind: 'settled' };
    }
    await ctx.marks.clearIntent(requestId);
    return { kind: 'noop', state: result.request?.state ?? 'missing' };
  }
  ctx.logger.info({ requestId }, 'approval expired');
  const outcome = await settleFinal(ctx, result.request);
  return { kind: 'expired', settled: outcome !== 'busy' };
}
