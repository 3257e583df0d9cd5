// Which first words are taken for a misspelt command: never a cluster of the policy, in whatever project.
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import { misspeltKeyword } from '../../../src/slack/misspelt-keyword.js';

const policy = parsePolicy(
  `projects:
  - { name: shop, id: 5e2211c17a3e5a48f5497de3, clusters: [{ name: lists }, { name: orders }] }
  - { name: blog, id: 5e2211c17a3e5a48f5497de4, clusters: [{ name: lists }] }
requesters: [U0123ABCD]
approvers: [U0789IJKL]
`,
  'test.yaml',
);

describe('misspeltKeyword', () => {
  it('suggests the command, keeping what follows', () => {
    expect(misspeltKeyword(policy, 'stauts RR-7K3P2Q')).toMatch(/^`stauts` is not a command .*did you mean `\/atlas-restore status RR-7K3P2Q`\?/);
  });

  it('never takes a cluster of the policy for a typo, even one in two projects (that asks which project)', () => {
    expect(misspeltKeyword(policy, 'lists')).toBeUndefined();
    expect(misspeltKeyword(policy, 'Lists 6748')).toBeUndefined();
    expect(misspeltKeyword(policy, 'shop/lists')).toBeUndefined();
    expect(misspeltKeyword(policy, 'status')).toBeUndefined();
  });

  it('echoes what was typed as text: no code span broken by a backtick, no Slack markup', () => {
    const text = misspeltKeyword(policy, 'stauts <!channel> `x`')!;
    expect(text).toContain("did you mean `/atlas-restore status &lt;!channel&gt; 'x'`?");
    expect(text).not.toContain('<!channel>');
  });
});
