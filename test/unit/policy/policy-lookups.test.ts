// Looking clusters up costs one pass over the policy, not one per question: the load-time checks and `status` ask
// about every cluster, and a policy of 50,000 clusters took minutes when each question walked the list again.
// Counted, not timed: a proxy counts how often the policy's lists are read.
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import { isInPolicy, listClusters, rulesFor } from '../../../src/policy/policy.js';
import type { Policy } from '../../../src/policy/policy-schema.js';
import { isNamedInPolicy } from '../../../src/policy/visibility.js';

const PROJECTS = 20;
const PER_PROJECT = 100;
const ID = (i: number) => i.toString(16).padStart(24, '0');

function bigPolicy(): Policy {
  const projects = Array.from({ length: PROJECTS }, (_, p) => {
    const clusters = Array.from({ length: PER_PROJECT }, (_, c) => `{ name: c${p}-${c} }`).join(', ');
    return `  - { name: p${p}, id: "${ID(p + 1)}", clusters: [${clusters}] }`;
  });
  return parsePolicy(`projects:\n${projects.join('\n')}\nrequesters: [U0ONE]\napprovers: [U0TWO]\n`, 'big.yaml');
}

/** The same policy, its project and cluster lists counting every element read. */
function counted(policy: Policy): { policy: Policy; reads: () => number } {
  let reads = 0;
  const count = <T extends object>(list: T[]): T[] =>
    new Proxy(list, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  const projects = count(policy.projects.map((p) => ({ ...p, clusters: count([...p.clusters]) })));
  return { policy: { ...policy, projects }, reads: () => reads };
}

describe('cluster lookups', () => {
  const clusters = PROJECTS * PER_PROJECT;

  it('the rules of every cluster cost a bounded number of reads per cluster', () => {
    const { policy, reads } = counted(bigPolicy());
    const refs = listClusters(policy);
    const before = reads();
    for (const ref of refs) expect(rulesFor(policy, ref).requesters).toEqual(['U0ONE']);
    expect(refs.every((ref) => isInPolicy(policy, ref))).toBe(true);
    expect(isInPolicy(policy, { ...refs[0]!, cluster: 'nope' })).toBe(false);
    expect(reads() - before).toBeLessThan(4 * clusters); // one walk per cluster would be ~ clusters² / 2
  });

  it('so does asking whether someone is named anywhere in the policy (status, list, drills)', async () => {
    const { policy, reads } = counted(bigPolicy());
    const resolver = { isMember: async (user: string, ids: readonly string[]) => ids.includes(user) };
    expect(await isNamedInPolicy(policy, resolver, 'U0THREE')).toBe(false);
    expect(reads()).toBeLessThan(6 * clusters);
  });
});
