import { describe, expect, it } from 'vitest';
import type { ClusterRef } from '../../../src/restore/types.js';
import { clusterSelectOptions } from '../../../src/slack/views/cluster-select-options.js';
import { slackRefusal } from '../../fakes/block-kit-limits.js';

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

  it('more than 100 projects: small ones share a group, so every cluster can still be chosen', () => {
    const spread = Array.from({ length: 150 }, (_, i) => refs(`project-${i}`, 1)[0]!).concat(refs('big', 120));
    const select = clusterSelectOptions(spread);
    const groups = 'option_groups' in select.element ? select.element.option_groups : [];
    expect(groups.length).toBeLessThanOrEqual(100);
    expect(groups.flatMap((g) => g.options.map((o) => o.value))).toEqual(spread.map((r) => `${r.project}/${r.cluster}`));
    expect(groups.map((g) => g.label.text)).toEqual([
      'project-0 … project-99 (100 projects)',
      'project-100 … project-149 (50 projects)',
      'big (1/2)',
      'big (2/2)',
    ]);
    expect(select.optionOf('project-149/c0')?.value).toBe('project-149/c0');
    const view = { type: 'modal', title: { type: 'plain_text', text: 'T' }, submit: { type: 'plain_text', text: 'S' }, blocks: [{ type: 'input', label: { type: 'plain_text', text: 'L' }, element: { type: 'static_select', action_id: 'a', ...select.element } }] };
    expect(slackRefusal('modal', view)).toBeUndefined();
  });

  it('a project/cluster over Slack\'s 75 characters: the cluster name stays whole, the project is shown below it', () => {
    const project = 'p'.repeat(64);
    const cluster = `orders-archive-${'x'.repeat(49)}`;
    const option = clusterSelectOptions([{ project, groupId: 'a'.repeat(24), cluster, type: 'serverless' }]).optionOf(`${project}/${cluster}`);
    expect(option?.value).toBe(`${project}/${cluster}`);
    expect(option?.text.text).toBe(`…/${cluster}`);
    expect(option?.description?.text).toBe(`${project} (serverless)`.slice(0, 74) + '…');
    const p60 = 'p'.repeat(60);
    const shorter = clusterSelectOptions([{ project: p60, groupId: 'a'.repeat(24), cluster: 'orders', type: 'dedicated' }]).optionOf(`${p60}/orders`);
    expect([shorter?.text.text, shorter?.description?.text]).toEqual(['…/orders (dedicated)', `${p60} (dedicated)`]);
  });
});
