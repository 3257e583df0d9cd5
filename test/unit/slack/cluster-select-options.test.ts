import { describe, expect, it } from 'vitest';
import type { ClusterRef } from '../../../src/restore/types.js';
import { clusterSelectOptions } from '../../../src/slack/views/cluster-select-options.js';

const refs = (project: string, n: number): ClusterRef[] =>
  Array.from({ length: n }, (_, i) => ({ project, groupId: 'a'.repeat(24), cluster: `c${i}`, type: 'dedicated' }) as ClusterRef);

describe('clusterSelectOptions', () => {
  it('up to 100 clusters: plain options, labelled with the type', () => {
    const select = clusterSelectOptions(refs('shop', 100));
    expect('options' in select.element && select.element.options).toHaveLength(100);
    expect(select.optionOf('shop/c99')?.text.text).toBe('shop/c99 (dedicated)');
    expect(select.optionOf('shop/c100')).toBeUndefined();
    expect(select.optionOf(undefined)).toBeUndefined();
  });

  it('more: grouped by project, a project past 100 in parts, every cluster choosable and within Slack\'s limits', () => {
    const select = clusterSelectOptions([...refs('shop', 230), ...refs('billing', 3)]);
    expect('option_groups' in select.element).toBe(true);
    const groups = 'option_groups' in select.element ? select.element.option_groups : [];
    expect(groups.map((g) => [g.label.text, g.options.length])).toEqual([
      ['shop (1/3)', 100],
      ['shop (2/3)', 100],
      ['shop (3/3)', 30],
      ['billing', 3],
    ]);
    expect(select.optionOf('shop/c229')?.value).toBe('shop/c229');
    expect(select.optionOf('billing/c2')?.value).toBe('billing/c2');
  });
});
