// When to ask Atlas again about a restore job. Pure and data-driven: the stages table is the policy.
// Quick at the start (a Flex restore takes about a minute), slower as a restore drags on (a large
// dedicated restore can take hours), jittered so that many replicas and restores do not poll in step,
// and backing off while Atlas is in trouble (honouring Retry-After on a 429).

export interface PollStage {
  /** This stage applies while the restore has been followed for less than this long. */
  untilMs: number;
  /** Multiplier of the base interval. */
  factor: number;
}

export interface PollIntervalPolicy {
  baseMs: number;
  /** Sorted by `untilMs`; the last stage also applies beyond its `untilMs`. */
  stages: readonly PollStage[];
  /** ±fraction applied to every delay, e.g. 0.2 for ±20 %. */
  jitter: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not believed (clock skew, a bad header). */
  maxRetryAfterMs: number;
}

export const DEFAULT_POLL_STAGES: readonly PollStage[] = [
  { untilMs: 3 * 60_000, factor: 0.5 },
  { untilMs: 10 * 60_000, factor: 1 },
  { untilMs: 60 * 60_000, factor: 2 },
  { untilMs: Number.POSITIVE_INFINITY, factor: 4 },
];

export interface PollIntervalOptions {
  /** POLL_INTERVAL_SECONDS; fractions are allowed (tests). */
  baseSeconds: number;
  stages?: readonly PollStage[];
  jitter?: number; // default 0.2
  minDelayMs?: number; // default 1000
  maxDelayMs?: number; // default 300_000
  maxRetryAfterMs?: number; // default 3_600_000
}

export class PollIntervalError extends Error {
  override readonly name = 'PollIntervalError';
  readonly code = 'TRACKER_INVALID_POLL_POLICY';
}

function assertFinitePositive(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PollIntervalError(`${what} must be a finite number > 0, got ${String(value)}`);
  }
}

export function createPollIntervalPolicy(opts: PollIntervalOptions): PollIntervalPolicy {
  assertFinitePositive(opts.baseSeconds, 'poll interval base (POLL_INTERVAL_SECONDS)');
  const policy: PollIntervalPolicy = {
    baseMs: opts.baseSeconds * 1000,
    stages: opts.stages ?? DEFAULT_POLL_STAGES,
    jitter: opts.jitter ?? 0.2,
    minDelayMs: opts.minDelayMs ?? 1000,
    maxDelayMs: opts.maxDelayMs ?? 300_000,
    maxRetryAfterMs: opts.maxRetryAfterMs ?? 3_600_000,
  };
  if (policy.stages.length === 0) throw new PollIntervalError('poll stages must not be empty');
  let previous = 0;
  for (const [i, stage] of policy.stages.entries()) {
    assertFinitePositive(stage.factor, `poll stage ${i} factor`);
    if (!(stage.untilMs > previous)) throw new PollIntervalError(`poll stage ${i} untilMs must be greater than the previous stage's (${previous})`);
    previous = stage.untilMs;
  }
  if (!(policy.jitter >= 0 && policy.jitter < 1)) throw new PollIntervalError(`poll jitter must be in [0, 1), got ${policy.jitter}`);
  assertFinitePositive(policy.minDelayMs, 'poll minDelayMs');
  assertFinitePositive(policy.maxDelayMs, 'poll maxDelayMs');
  assertFinitePositive(policy.maxRetryAfterMs, 'poll maxRetryAfterMs');
  if (policy.maxDelayMs < policy.minDelayMs) throw new PollIntervalError('poll maxDelayMs must be >= minDelayMs');
  return policy;
}

export interface NextPollInput {
  /** How long the restore has been followed (since it was submitted). */
  elapsedMs: number;
  /** Uniform in [0, 1). */
  random: () => number;
  /** Consecutive failed polls (0 when the last one worked). */
  failures?: number;
  /** Atlas's Retry-After on the last failure, if it sent one. */
  retryAfterMs?: number | undefined;
}

/** The stage's undithered delay for a restore followed for `elapsedMs`. */
export function stageDelayMs(policy: PollIntervalPolicy, elapsedMs: number): number {
  const stage = policy.stages.find((s) => elapsedMs < s.untilMs) ?? policy.stages[policy.stages.length - 1];
  return policy.baseMs * (stage?.factor ?? 1);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * How long to wait for a Retry-After, or undefined when there is none. Retry-After is Atlas telling us exactly when:
 * wait at least that (believed up to maxRetryAfterMs), plus up to `jitter` more so that replicas refused together do
 * not come back together. Every step that asks Atlas again uses this, whatever its own backoff.
 */
export function retryAfterWaitMs(policy: PollIntervalPolicy, retryAfterMs: number | undefined, random: () => number): number | undefined {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || !(retryAfterMs > 0)) return undefined;
  return Math.round(Math.max(policy.minDelayMs, Math.min(retryAfterMs, policy.maxRetryAfterMs) * (1 + policy.jitter * random())));
}

/** Milliseconds until the next poll. */
export function nextPollDelayMs(policy: PollIntervalPolicy, input: NextPollInput): number {
  const failures = Math.max(0, Math.floor(input.failures ?? 0));
  // Never less than Retry-After, even above maxDelayMs.
  const retryAfter = retryAfterWaitMs(policy, input.retryAfterMs, input.random);
  if (retryAfter !== undefined) return retryAfter;
  let delay = stageDelayMs(policy, Math.max(0, input.elapsedMs));
  // Exponential backoff while Atlas fails: base, 2×base, 4×base... (at least the stage's delay).
  if (failures > 0) delay = Math.max(delay, policy.baseMs * 2 ** Math.min(failures - 1, 30));
  const jittered = delay * (1 + policy.jitter * (2 * input.random() - 1));
  return Math.round(clamp(jittered, policy.minDelayMs, policy.maxDelayMs));
}
