// The fake Slack refuses what Slack refuses (invalid_blocks): the modal's tests rely on it being that strict.
import { describe, expect, it } from 'vitest';
import { checkBlockLimits, checkViewLimits } from '../../fakes/fake-slack-limits.js';

const option = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
const input = (element: Record<string, unknown>, extra: Record<string, unknown> = {}) => [{ type: 'input', block_id: 'b', label: { type: 'plain_text', text: 'L' }, element, ...extra }];
const check = (blocks: unknown[]) => () => checkBlockLimits(blocks, 100);

describe('checkBlockLimits: the elements of the restore modal', () => {
  it('radio buttons and checkboxes: at most 10 options, initial ones among them', () => {
    const ten = Array.from({ length: 10 }, (_, i) => option(`o${i}`));
    for (const type of ['radio_buttons', 'checkboxes']) {
      expect(check(input({ type, action_id: 'a', options: ten }))).not.toThrow();
      expect(check(input({ type, action_id: 'a', options: [...ten, option('o10')] }))).toThrow('invalid_blocks');
    }
    expect(check(input({ type: 'radio_buttons', action_id: 'a', options: ten, initial_option: option('o3') }))).not.toThrow();
    expect(check(input({ type: 'radio_buttons', action_id: 'a', options: ten, initial_option: option('elsewhere') }))).toThrow('invalid_blocks');
    expect(check(input({ type: 'checkboxes', action_id: 'a', options: ten, initial_options: [option('o1')] }))).not.toThrow();
    expect(check(input({ type: 'checkboxes', action_id: 'a', options: ten, initial_options: [{ ...option('o1'), description: { type: 'plain_text', text: 'x' } }] }))).toThrow('invalid_blocks');
    expect(check(input({ type: 'static_select', action_id: 'a', options: Array.from({ length: 100 }, (_, i) => option(`s${i}`)) }))).not.toThrow();
  });

  it('a select\'s option_groups: 100 groups of 100, labelled, initial option in a group, never beside options', () => {
    const group = (label: string, n: number) => ({ label: { type: 'plain_text', text: label }, options: Array.from({ length: n }, (_, i) => option(`${label}${i}`)) });
    const select = (extra: Record<string, unknown>) => input({ type: 'static_select', action_id: 'a', ...extra });
    expect(check(select({ option_groups: [group('g', 100), group('h', 100)], initial_option: option('h99') }))).not.toThrow();
    expect(check(select({ option_groups: [group('g', 101)] }))).toThrow('invalid_blocks');
    expect(check(select({ option_groups: Array.from({ length: 101 }, (_, i) => group(`g${i}`, 1)) }))).toThrow('invalid_blocks');
    expect(check(select({ option_groups: [group('g', 2)], initial_option: option('x') }))).toThrow('invalid_blocks');
    expect(check(select({ option_groups: [{ ...group('g', 1), label: { type: 'plain_text', text: '' } }] }))).toThrow('invalid_blocks');
    expect(check(select({ option_groups: [group('g', 1)], options: [option('g0')] }))).toThrow('invalid_blocks');
  });

  it('datetimepicker: initial_date_time is Unix seconds in 10 digits', () => {
    expect(check(input({ type: 'datetimepicker', action_id: 'a', initial_date_time: 1796133900 }))).not.toThrow();
    expect(check(input({ type: 'datetimepicker', action_id: 'a' }))).not.toThrow();
    for (const bad of [1796133900000, 5, '1796133900', 1796133900.5]) {
      expect(check(input({ type: 'datetimepicker', action_id: 'a', initial_date_time: bad }))).toThrow('invalid_blocks');
    }
  });

  it('plain_text_input: max_length at most 3000, an initial value within it; hints at most 2000', () => {
    expect(check(input({ type: 'plain_text_input', action_id: 'a', max_length: 3000, initial_value: 'x'.repeat(3000) }))).not.toThrow();
    expect(check(input({ type: 'plain_text_input', action_id: 'a', max_length: 3001 }))).toThrow('invalid_blocks');
    expect(check(input({ type: 'plain_text_input', action_id: 'a', max_length: 10, initial_value: 'x'.repeat(11) }))).toThrow('invalid_blocks');
    expect(check(input({ type: 'plain_text_input', action_id: 'a' }, { hint: { type: 'plain_text', text: 'h'.repeat(2001) } }))).toThrow('invalid_blocks');
  });
});

describe('checkViewLimits: a modal’s own limits', () => {
  const plain = (text: string) => ({ type: 'plain_text', text });
  const modal = (extra: Record<string, unknown>) => () => checkViewLimits({ type: 'modal', title: plain('Restore'), blocks: [], ...extra });

  it('title, submit and close of at most 24 characters, private_metadata of at most 3000, placeholders of at most 150', () => {
    expect(modal({ submit: plain('x'.repeat(24)), private_metadata: 'm'.repeat(3000) })).not.toThrow();
    expect(modal({ title: plain('x'.repeat(25)) })).toThrow('invalid_arguments');
    expect(modal({ close: plain('x'.repeat(25)) })).toThrow('invalid_arguments');
    expect(modal({ private_metadata: 'm'.repeat(3001) })).toThrow('invalid_arguments');
    expect(modal({ blocks: input({ type: 'plain_text_input', action_id: 'a', placeholder: plain('p'.repeat(150)) }) })).not.toThrow();
    expect(modal({ blocks: input({ type: 'plain_text_input', action_id: 'a', placeholder: plain('p'.repeat(151)) }) })).toThrow('invalid_blocks');
  });
});
