// The problems a policy text is refused with: what the policy tests compare. A text that is accepted fails the test.
import { expect } from 'vitest';
import { parsePolicy, PolicyError } from '../../src/policy/load-policy.js';

export function policyProblems(text: string): string[] {
  try {
    parsePolicy(text, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).code).toBe('POLICY_INVALID');
    return [...(err as PolicyError).problems];
  }
  throw new Error('expected the policy to be refused');
}
