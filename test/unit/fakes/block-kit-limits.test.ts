// The fake Slack refuses what Slack refuses: every other test that posts blocks relies on this being that strict,
// and on it taking what Slack takes.
import { describe, expect, it } from 'vitest';
import { slackRefusal, type Surface } from '../../fakes/block-kit-limits.js';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const option = (value: string, text = value) => ({ text: plain(text), value });
const x = (n: number) => 'x'.repeat(n);
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });
const input = (element: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'input', label: plain('L'), element: { action_id: 'a', ...element }, ...extra });
const select = (extra: Record<string, unknown>) => input({ type: 'static_select', ...extra });
const modal = (blocks: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'modal', title: plain('Restore'), submit: plain('Go'), blocks, ...extra });

/** The messages Slack would answer with, [] when it takes the blocks. */
function problems(blocks: unknown[], surface: Surface = 'message'): string[] {
  const refusal = surface === 'message' ? slackRefusal('message', { blocks }) : slackRefusal(surface, surface === 'modal' ? modal(blocks) : { type: 'home', blocks });
  return refusal?.messages ?? [];
}
const ok = (blocks: unknown[], surface: Surface = 'message') => expect(problems(blocks, surface)).toEqual([]);
/** Refused, with a message naming `pointer` (and `what`, when given). */
function refused(blocks: unknown[], pointer: string, what = '', surface: Surface = 'message') {
  const found = problems(blocks, surface);
  expect(found, `expected a problem at ${pointer}`).toContainEqual(expect.stringMatching(new RegExp(`${what.replace(/[()]/g, '\\$&')}.*\\[json-pointer:${pointer}\\]$`)));
}

describe('slackRefusal: how Slack answers', () => {
  it('messages: invalid_blocks, each problem as "[ERROR] … [json-pointer:…]"', () => {
    expect(slackRefusal('message', { blocks: [section(x(3001))] })).toEqual({
      error: 'invalid_blocks',
      messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
    expect(slackRefusal('message', { blocks: [section(x(3000))] })).toBeUndefined();
    expect(slackRefusal('message', {})).toBeUndefined();
  });

  it('views: invalid_arguments with pointers under /view, and view_too_large past 250 kB', () => {
    expect(slackRefusal('modal', modal([section(x(3001))]))).toEqual({
      error: 'invalid_arguments',
      messages: ['[ERROR] must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]'],
    });
    const big = Array.from({ length: 90 }, () => section(x(3000)));
    expect(slackRefusal('home', { type: 'home', blocks: big })).toEqual({ error: 'view_too_large', messages: [] });
  });
});

describe('slackRefusal: blocks', () => {
  it('50 blocks in a message, 100 in a modal or a home', () => {
    const dividers = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    ok(dividers(50));
    refused(dividers(51), '/blocks', 'no more than 50 items');
    for (const surface of ['modal', 'home'] as const) {
      ok(dividers(100), surface);
      refused(dividers(101), '/view/blocks', 'no more than 100 items', surface);
    }
  });

  it('block_id: at most 255 characters, unique in the message or view', () => {
    ok([{ type: 'divider', block_id: x(255) }]);
    refused([{ type: 'divider', block_id: x(256) }], '/blocks/0/block_id');
    refused([{ type: 'divider', block_id: 'a' }, { type: 'divider', block_id: 'a' }], '/blocks/1/block_id', 'duplicate');
    refused([section('a'), { type: 'divider', block_id: 'b' }, { type: 'divider', block_id: 'b' }], '/view/blocks/2/block_id', 'duplicate', 'home');
  });

  it('section: text 1–3000, at most 10 fields of 2000, text or fields', () => {
    refused([section('')], '/blocks/0/text/text', 'more than 0');
    refused([{ type: 'section' }], '/blocks/0', 'either text or fields');
    const fields = (n: number, len = 5) => [{ type: 'section', fields: Array.from({ length: n }, () => mrkdwn(x(len))) }];
    ok(fields(10, 2000));
    refused(fields(11), '/blocks/0/fields', 'no more than 10');
    refused(fields(2, 2001), '/blocks/0/fields/1/text', 'less than 2001');
  });

  it('header: plain_text of at most 150', () => {
    ok([{ type: 'header', text: plain(x(150)) }]);
    refused([{ type: 'header', text: plain(x(151)) }], '/blocks/0/text/text');
    refused([{ type: 'header', text: mrkdwn('*bold*') }], '/blocks/0/text/type', 'plain_text');
  });

  it('context: 1–10 elements, texts of at most 3000', () => {
    const context = (n: number, len = 3) => [{ type: 'context', elements: Array.from({ length: n }, () => mrkdwn(x(len))) }];
    ok(context(10, 3000));
    refused(context(11), '/blocks/0/elements', 'no more than 10');
    refused(context(0), '/blocks/0/elements', 'at least 1');
    refused(context(1, 3001), '/blocks/0/elements/0/text');
  });

  it('actions: 1–25 elements, action ids unique in the block', () => {
    const button = (i: number) => ({ type: 'button', action_id: `b${i}`, text: plain('Go') });
    ok([{ type: 'actions', elements: Array.from({ length: 25 }, (_, i) => button(i)) }]);
    refused([{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(i)) }], '/blocks/0/elements', 'no more than 25');
    refused([{ type: 'actions', elements: [button(1), button(1)] }], '/blocks/0/elements', 'unique');
  });

  it('input: label and hint plain_text of at most 2000; a modal with one needs a submit button', () => {
    ok([input({ type: 'plain_text_input' }, { label: plain(x(2000)), hint: plain(x(2000)) })], 'modal');
    refused([input({ type: 'plain_text_input' }, { label: plain(x(2001)) })], '/view/blocks/0/label/text', '', 'modal');
    refused([input({ type: 'plain_text_input' }, { hint: plain(x(2001)) })], '/view/blocks/0/hint/text', '', 'modal');
    refused([input({ type: 'plain_text_input' }, { label: mrkdwn('*L*') })], '/view/blocks/0/label/type', 'plain_text', 'modal');
    expect(slackRefusal('modal', { type: 'modal', title: plain('T'), blocks: [input({ type: 'plain_text_input' })] })?.messages).toEqual([
      '[ERROR] submit is required when the view has an input block [json-pointer:/view/submit]',
    ]);
  });

  it('an unknown block or element type', () => {
    refused([{ type: 'sectoin', text: mrkdwn('x') }], '/blocks/0/type', 'unsupported block type');
    refused([{ type: 'actions', elements: [{ type: 'buton', text: plain('x') }] }], '/blocks/0/elements/0/type', 'unsupported element type');
  });
});

describe('slackRefusal: elements', () => {
  it('button: text plain_text of at most 75, value 2000, url 3000, action_id 255; its confirm dialog', () => {
    const button = (extra: Record<string, unknown>) => [{ type: 'actions', elements: [{ type: 'button', action_id: 'b', text: plain('Go'), ...extra }] }];
    ok(button({ text: plain(x(75)), value: x(2000), url: `https://e.x/${x(2988)}`, action_id: x(255) }));
    refused(button({ text: plain(x(76)) }), '/blocks/0/elements/0/text/text', 'less than 76');
    refused(button({ text: mrkdwn('*Go*') }), '/blocks/0/elements/0/text/type', 'plain_text');
    refused(button({ value: x(2001) }), '/blocks/0/elements/0/value');
    refused(button({ url: x(3001) }), '/blocks/0/elements/0/url');
    refused(button({ action_id: x(256) }), '/blocks/0/elements/0/action_id');
    refused(button({ style: 'green' }), '/blocks/0/elements/0/style');
    const confirm = { title: plain(x(100)), text: mrkdwn(x(300)), confirm: plain(x(30)), deny: plain(x(30)) };
    ok(button({ confirm }));
    refused(button({ confirm: { ...confirm, title: plain(x(101)) } }), '/blocks/0/elements/0/confirm/title/text');
    refused(button({ confirm: { ...confirm, text: mrkdwn(x(301)) } }), '/blocks/0/elements/0/confirm/text/text');
    refused(button({ confirm: { ...confirm, deny: plain(x(31)) } }), '/blocks/0/elements/0/confirm/deny/text');
  });

  it('static_select: 1–100 options, text plain_text of 75, value of 150, description of 75', () => {
    const options = (n: number) => Array.from({ length: n }, (_, i) => option(`o${i}`));
    ok([select({ options: options(100) })], 'modal');
    refused([select({ options: options(101) })], '/view/blocks/0/element/options', 'no more than 100', 'modal');
    refused([select({ options: [] })], '/view/blocks/0/element/options', 'at least 1', 'modal');
    ok([select({ options: [{ ...option(x(150), x(75)), description: plain(x(75)) }] })], 'modal');
    refused([select({ options: [option('v', x(76))] })], '/view/blocks/0/element/options/0/text/text', '', 'modal');
    refused([select({ options: [option(x(151))] })], '/view/blocks/0/element/options/0/value', 'less than 151', 'modal');
    refused([select({ options: [{ ...option('v'), description: plain(x(76)) }] })], '/view/blocks/0/element/options/0/description/text', '', 'modal');
    refused([select({ options: [{ text: mrkdwn('*v*'), value: 'v' }] })], '/view/blocks/0/element/options/0/text/type', 'plain_text', 'modal');
    refused([select({ options: [option('v')], placeholder: plain(x(151)) })], '/view/blocks/0/element/placeholder/text', '', 'modal');
    refused([select({})], '/view/blocks/0/element/options', 'must be an array', 'modal');
  });

  it('static_select option_groups: 100 groups of 100, labelled (75), never beside options; the initial option among them', () => {
    const group = (label: string, n: number) => ({ label: plain(label), options: Array.from({ length: n }, (_, i) => option(`${label}${i}`)) });
    ok([select({ option_groups: [group('g', 100), group('h', 100)], initial_option: option('h99') })], 'modal');
    refused([select({ option_groups: [group('g', 101)] })], '/view/blocks/0/element/option_groups/0/options', 'no more than 100', 'modal');
    refused([select({ option_groups: Array.from({ length: 101 }, (_, i) => group(`g${i}`, 1)) })], '/view/blocks/0/element/option_groups', 'no more than 100', 'modal');
    refused([select({ option_groups: [group(x(76), 1)] })], '/view/blocks/0/element/option_groups/0/label/text', '', 'modal');
    refused([select({ option_groups: [group('g', 2)], initial_option: option('x') })], '/view/blocks/0/element/initial_option', 'one of the options', 'modal');
    refused([select({ option_groups: [group('g', 1)], options: [option('g0')] })], '/view/blocks/0/element', 'not both', 'modal');
  });

  it('radio buttons and checkboxes: 1–10 options (mrkdwn allowed), initial ones among them exactly', () => {
    const ten = Array.from({ length: 10 }, (_, i) => option(`o${i}`));
    for (const type of ['radio_buttons', 'checkboxes']) {
      ok([input({ type, options: ten })], 'modal');
      refused([input({ type, options: [...ten, option('o10')] })], '/view/blocks/0/element/options', 'no more than 10', 'modal');
      ok([input({ type, options: [{ text: mrkdwn('*bold*'), value: 'b', description: mrkdwn('_why_') }] })], 'modal');
    }
    ok([input({ type: 'radio_buttons', options: ten, initial_option: option('o3') })], 'modal');
    refused([input({ type: 'radio_buttons', options: ten, initial_option: option('elsewhere') })], '/view/blocks/0/element/initial_option', '', 'modal');
    const described = { ...option('o1'), description: plain('x') };
    refused([input({ type: 'checkboxes', options: ten, initial_options: [described] })], '/view/blocks/0/element/initial_options/0', '', 'modal');
  });

  it('plain_text_input: max_length 1–3000, an initial value within it', () => {
    ok([input({ type: 'plain_text_input', max_length: 3000, initial_value: x(3000) })], 'modal');
    refused([input({ type: 'plain_text_input', max_length: 3001 })], '/view/blocks/0/element/max_length', '', 'modal');
    refused([input({ type: 'plain_text_input', max_length: 10, initial_value: x(11) })], '/view/blocks/0/element/initial_value', 'less than 11', 'modal');
    refused([input({ type: 'plain_text_input', initial_value: x(3001) })], '/view/blocks/0/element/initial_value', '', 'modal');
  });

  it('datetimepicker: initial_date_time is Unix seconds in 10 digits', () => {
    ok([input({ type: 'datetimepicker', initial_date_time: 1796133900 })], 'modal');
    ok([input({ type: 'datetimepicker' })], 'modal');
    for (const bad of [1796133900000, 5, '1796133900', 1796133900.5]) {
      refused([input({ type: 'datetimepicker', initial_date_time: bad })], '/view/blocks/0/element/initial_date_time', '', 'modal');
    }
  });

  it('a button is no input element', () => {
    refused([input({ type: 'button', text: plain('Go') })], '/view/blocks/0/element/type', 'not allowed', 'modal');
  });
});

describe('slackRefusal: a view’s own fields', () => {
  it('modal title, submit and close plain_text of at most 24; private_metadata 3000; callback_id and external_id 255', () => {
    const messages = (extra: Record<string, unknown>) => slackRefusal('modal', modal([], extra))?.messages ?? [];
    expect(messages({ submit: plain(x(24)), close: plain(x(24)), private_metadata: x(3000), callback_id: x(255), external_id: x(255) })).toEqual([]);
    expect(messages({ title: plain(x(25)) })).toEqual(['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]']);
    expect(messages({ close: plain(x(25)) })).toEqual(['[ERROR] must be less than 25 characters [json-pointer:/view/close/text]']);
    expect(messages({ title: mrkdwn('Restore') })).toEqual(['[ERROR] must be plain_text [json-pointer:/view/title/type]']);
    expect(messages({ title: undefined })).toEqual(['[ERROR] missing required field [json-pointer:/view/title]']);
    expect(messages({ private_metadata: x(3001) })).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]']);
    expect(messages({ callback_id: x(256) })).toEqual(['[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]']);
  });
});
