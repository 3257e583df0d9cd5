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

  it('a group Slack says does not exist is empty (not "try again" for everyone), cached, and reported', async () => {
    let t = 0;
    const calls: string[] = [];
    const missing: string[] = [];
    const resolver = createMembershipResolver(
      async (g) => {
        calls.push(g);
        if (g === 'S0TYPO') throw Object.assign(new Error('An API error occurred: no_such_subteam'), { code: 'slack_webapi_platform_error', data: { ok: false, error: 'no_such_subteam' } });
        if (g === 'S0GONE') throw Object.assign(new Error('gone'), { data: { ok: false, error: 'subteam_not_found' } });
        return ['U1'];
      },
      { ttlMs: 1000, now: () => t, onMissingGroup: (g, error) => missing.push(`${g}: ${error}`) },
    );
    expect(await resolver.isMember('U2', ['S0TYPO', 'S0GONE'])).toBe(false);
    expect(await resolver.isMember('U1', ['S0TYPO', 'S0OK'])).toBe(true);
    expect(await resolver.isMember('U2', ['S0TYPO'])).toBe(false);
    expect(calls).toEqual(['S0TYPO', 'S0GONE', 'S0OK']);
    expect(missing).toEqual(['S0TYPO: no_such_subteam', 'S0GONE: subteam_not_found']);
    t = 1000; // asked again after the TTL: a group created meanwhile counts
    await resolver.isMember('U2', ['S0TYPO']);
    expect(calls).toEqual(['S0TYPO', 'S0GONE', 'S0OK', 'S0TYPO']);
    // Any other Slack error is still a failure: membership never defaults either way.
    const limited = createMembershipResolver(() => Promise.reject(Object.assign(new Error('ratelimited'), { data: { error: 'ratelimited' } })));
    await expect(limited.isMember('U2', ['S0TYPO'])).rejects.toBeInstanceOf(MembershipLookupError);
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
