import { describe, expect, it } from 'vitest';
import { createMembershipResolver, MembershipLookupError } from '../../../src/policy/resolve-usergroups.js';

/** A fetcher whose answers the test releases by hand, counting calls per group. */
function controllableFetcher() {
  const calls = new Map<string, number>();
  const waiting: Array<{ group: string; resolve: (users: string[]) => void; reject: (e: Error) => void }> = [];
  const fetch = (group: string) =>
    new Promise<string[]>((resolve, reject) => {
      calls.set(group, (calls.get(group) ?? 0) + 1);
      waiting.push({ group, resolve, reject });
    });
  return { fetch, calls, waiting };
}

describe('createMembershipResolver', () => {
  it('matches user ids directly without any lookup', async () => {
    let calls = 0;
    const resolver = createMembershipResolver(async () => {
      calls += 1;
      return [];
    });
    expect(await resolver.isMember('U1', ['U1', 'S1'])).toBe(true);
    expect(await resolver.isMember('U2', ['U1'])).toBe(false);
    expect(calls).toBe(0);
  });

  it('resolves groups and caches them for the TTL', async () => {
    let t = 0;
    const calls: string[] = [];
    const resolver = createMembershipResolver(
      async (g) => {
        calls.push(g);
        return g === 'S1' ? ['U1'] : ['U2'];
      },
      { ttlMs: 1000, now: () => t },
    );
    expect(await resolver.isMember('U1', ['S1'])).toBe(true);
    expect(await resolver.isMember('U2', ['S1'])).toBe(false);
    expect(await resolver.isMember('U2', ['S1', 'S2'])).toBe(true);
    expect(calls).toEqual(['S1', 'S2']);
    t = 999;
    await resolver.isMember('U1', ['S1']);
    expect(calls).toEqual(['S1', 'S2']);
    t = 1000;
    await resolver.isMember('U1', ['S1']);
    expect(calls).toEqual(['S1', 'S2', 'S1']);
  });

  it('shares one lookup among many concurrent questions', async () => {
    const f = controllableFetcher();
    const resolver = createMembershipResolver(f.fetch);
    const answers = Promise.all(Array.from({ length: 50 }, (_, i) => resolver.isMember(i % 2 ? 'U1' : 'U9', ['S1'])));
    await expect.poll(() => f.waiting.length, { timeout: 1000 }).toBe(1);
    f.waiting[0]?.resolve(['U1']);
    const results = await answers;
    expect(results.filter(Boolean)).toHaveLength(25);
    expect(f.calls.get('S1')).toBe(1);
  });

  it('denies (rejects) on a failed lookup and does not cache the failure', async () => {
    let fail = true;
    let calls = 0;
    const resolver = createMembershipResolver(async () => {
      calls += 1;
      if (fail) throw new Error('ratelimited');
      return ['U1'];
    });
    const err = await resolver.isMember('U1', ['S1']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MembershipLookupError);
    expect(err).toMatchObject({ code: 'POLICY_MEMBERSHIP_UNAVAILABLE', groupIds: ['S1'] });
    fail = false;
    expect(await resolver.isMember('U1', ['S1'])).toBe(true);
    expect(calls).toBe(2);
  });

  it('does not cache a synchronous throw either', async () => {
    let calls = 0;
    const resolver = createMembershipResolver((() => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
      return Promise.resolve(['U1']);
    }) as (g: string) => Promise<string[]>);
    await expect(resolver.isMember('U1', ['S1'])).rejects.toBeInstanceOf(MembershipLookupError);
    expect(await resolver.isMember('U1', ['S1'])).toBe(true);
  });

  it('allows when another group that resolved holds the user, even if one lookup failed', async () => {
    const resolver = createMembershipResolver(async (g) => {
      if (g === 'SBROKEN') throw new Error('down');
      return ['U1'];
    });
    expect(await resolver.isMember('U1', ['SBROKEN', 'SOK'])).toBe(true);
    await expect(resolver.isMember('U2', ['SBROKEN', 'SOK'])).rejects.toMatchObject({ groupIds: ['SBROKEN'] });
  });

  it('concurrent callers of a failing lookup all get the denial, and one call is made', async () => {
    const f = controllableFetcher();
    const resolver = createMembershipResolver(f.fetch);
    const answers = Promise.allSettled(Array.from({ length: 20 }, () => resolver.isMember('U1', ['S1'])));
    await expect.poll(() => f.waiting.length, { timeout: 1000 }).toBe(1);
    f.waiting[0]?.reject(new Error('down'));
    const results = await answers;
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(f.calls.get('S1')).toBe(1);
  });
});
