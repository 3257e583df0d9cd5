// What real Slack refuses in blocks and views: the documented Block Kit limits (docs.slack.dev, "Block Kit" reference
// pages of each block, element and composition object, and the modal and home view objects). The fake Slack asks this
// before it stores a message or a view, so a test fails where Slack would answer `ok: false` and the user see nothing.
//
// Answers as Slack does: chat.* methods `invalid_blocks`, views.* `invalid_arguments` (their documented errors have
// no invalid_blocks) or `view_too_large` (over 250 kB), each problem as "[ERROR] <what> [json-pointer:<path>]" in
// `response_metadata.messages`. The wording of the length problems is Slack's ("must be less than 3001 characters");
// the other wordings are close to it, not exact. Not checked: Slack's undocumented cumulative size of a message's
// blocks (msg_blocks_too_long), and the top-level `text` (Slack truncates it past 40,000 characters, it doesn't refuse).
type Json = Record<string, unknown>;
export type Surface = 'message' | 'modal' | 'home';
export interface Refusal {
  error: 'invalid_blocks' | 'invalid_arguments' | 'view_too_large';
  messages: string[];
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const SELECTS = new Set(['static_select', 'multi_static_select', 'external_select', 'multi_external_select', 'users_select', 'multi_users_select', 'conversations_select', 'multi_conversations_select', 'channels_select', 'multi_channels_select']);
const INPUTS = new Set(['plain_text_input', 'number_input', 'email_text_input', 'url_text_input', 'datepicker', 'timepicker', 'datetimepicker', 'checkboxes', 'radio_buttons', 'file_input', 'rich_text_input']);
const BLOCKS = new Set(['section', 'header', 'context', 'actions', 'input', 'divider', 'image', 'rich_text', 'markdown', 'video', 'file', 'table', 'context_actions']);

/** How Slack would answer `payload` (a message's `{ blocks }`, or a view), or undefined when it takes it. */
export function slackRefusal(surface: Surface, given: object): Refusal | undefined {
  const payload = given as Json;
  const problems: string[] = [];
  const bad = (path: string, what: string) => void problems.push(`[ERROR] ${what} [json-pointer:${path}]`);
  const str = (v: unknown, path: string, max: number) => {
    if (v === undefined) return;
    if (typeof v !== 'string') bad(path, 'must be a string');
    else if (v.length > max) bad(path, `must be less than ${max + 1} characters`);
  };
  const list = (v: unknown, path: string, max: number, min = 1): unknown[] => {
    if (!Array.isArray(v)) return (bad(path, 'must be an array'), []);
    if (v.length > max) bad(path, `no more than ${max} items allowed`);
    if (v.length < min) bad(path, `must provide at least ${min} item${min === 1 ? '' : 's'}`);
    return v;
  };
  /** A text object: plain_text only unless `mrkdwn`, 1 to `max` characters. */
  const text = (t: unknown, path: string, max: number, opts: { mrkdwn?: boolean; required?: boolean } = {}) => {
    if (t === undefined) return void (opts.required && bad(path, 'missing required field'));
    if (!isObject(t)) return bad(path, 'must be a text object');
    if (t.type !== 'plain_text' && t.type !== 'mrkdwn') bad(`${path}/type`, 'must be plain_text or mrkdwn');
    else if (t.type === 'mrkdwn' && !opts.mrkdwn) bad(`${path}/type`, 'must be plain_text');
    if (typeof t.text !== 'string' || t.text.length === 0) bad(`${path}/text`, 'must be more than 0 characters');
    else str(t.text, `${path}/text`, max);
  };
  const option = (o: unknown, path: string, mrkdwn: boolean, url: boolean) => {
    if (!isObject(o)) return bad(path, 'must be an option object');
    text(o.text, `${path}/text`, 75, { mrkdwn, required: true });
    if (typeof o.value !== 'string' || o.value === '') bad(`${path}/value`, 'must be more than 0 characters');
    else str(o.value, `${path}/value`, 150);
    text(o.description, `${path}/description`, 75, { mrkdwn });
    if (url) str(o.url, `${path}/url`, 3000);
    else if (o.url !== undefined) bad(`${path}/url`, 'url is only allowed in overflow menus');
  };
  const confirm = (c: unknown, path: string) => {
    if (c === undefined) return;
    if (!isObject(c)) return bad(path, 'must be a confirm object');
    text(c.title, `${path}/title`, 100, { required: true });
    text(c.text, `${path}/text`, 300, { mrkdwn: true, required: true });
    text(c.confirm, `${path}/confirm`, 30, { required: true });
    text(c.deny, `${path}/deny`, 30, { required: true });
    if (c.style !== undefined && c.style !== 'primary' && c.style !== 'danger') bad(`${path}/style`, 'must be primary or danger');
  };
  /** Options, or a static select's option groups; initial options must be among them, exactly (Slack compares all). */
  const options = (el: Json, path: string, type: string) => {
    const mrkdwn = type === 'radio_buttons' || type === 'checkboxes';
    const max = mrkdwn ? 10 : type === 'overflow' ? 5 : 100;
    let all: unknown[] = [];
    if (el.option_groups !== undefined) {
      if (el.options !== undefined) bad(path, 'must provide either options or option_groups, not both');
      list(el.option_groups, `${path}/option_groups`, 100).forEach((g, i) => {
        const at = `${path}/option_groups/${i}`;
        if (!isObject(g)) return bad(at, 'must be an option group');
        text(g.label, `${at}/label`, 75, { required: true });
        const opts = list(g.options, `${at}/options`, 100);
        opts.forEach((o, j) => option(o, `${at}/options/${j}`, false, false));
        all = all.concat(opts);
      });
    } else {
      all = list(el.options, `${path}/options`, max);
      all.forEach((o, i) => option(o, `${path}/options/${i}`, mrkdwn, type === 'overflow'));
    }
    const among = (o: unknown) => all.some((x) => JSON.stringify(x) === JSON.stringify(o));
    if (el.initial_option !== undefined && !among(el.initial_option)) bad(`${path}/initial_option`, 'must match one of the options');
    if (Array.isArray(el.initial_options)) el.initial_options.forEach((o, i) => !among(o) && bad(`${path}/initial_options/${i}`, 'must match one of the options'));
  };
  const element = (el: unknown, path: string, where: 'accessory' | 'actions' | 'input') => {
    if (!isObject(el)) return bad(path, 'must be an element object');
    const type = typeof el.type === 'string' ? el.type : '';
    str(el.action_id, `${path}/action_id`, 255);
    confirm(el.confirm, `${path}/confirm`);
    text(el.placeholder, `${path}/placeholder`, 150);
    if (type === 'button') {
      text(el.text, `${path}/text`, 75, { required: true });
      str(el.value, `${path}/value`, 2000);
      str(el.url, `${path}/url`, 3000);
      str(el.accessibility_label, `${path}/accessibility_label`, 75);
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') bad(`${path}/style`, 'must be primary or danger');
    } else if (type === 'image') {
      str(el.image_url, `${path}/image_url`, 3000);
      str(el.alt_text, `${path}/alt_text`, 2000);
    } else if (SELECTS.has(type) || type === 'overflow' || type === 'radio_buttons' || type === 'checkboxes') {
      if (type === 'static_select' || type === 'multi_static_select' || type === 'overflow' || type === 'radio_buttons' || type === 'checkboxes') options(el, path, type);
    } else if (!INPUTS.has(type)) return bad(`${path}/type`, `unsupported element type: ${type || '(none)'}`);
    if (where === 'input' && (type === 'button' || type === 'overflow' || type === 'image')) bad(`${path}/type`, `${type} is not allowed in an input block`);
    if (type === 'plain_text_input') {
      const { max_length: maxLength, min_length: minLength, initial_value: initial } = el;
      if (maxLength !== undefined && (typeof maxLength !== 'number' || maxLength < 1 || maxLength > 3000)) bad(`${path}/max_length`, 'must be between 1 and 3000');
      if (minLength !== undefined && (typeof minLength !== 'number' || minLength < 0 || minLength > 3000)) bad(`${path}/min_length`, 'must be between 0 and 3000');
      str(initial, `${path}/initial_value`, typeof maxLength === 'number' ? maxLength : 3000);
    }
    // Unix seconds, "in the format of 10 digits" (datetime picker element).
    const dt = el.initial_date_time;
    if (type === 'datetimepicker' && dt !== undefined && (typeof dt !== 'number' || !Number.isInteger(dt) || String(dt).length !== 10)) bad(`${path}/initial_date_time`, 'must be 10 digits');
    if (type === 'datepicker' && el.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(el.initial_date))) bad(`${path}/initial_date`, 'must be YYYY-MM-DD');
    if (type === 'timepicker' && el.initial_time !== undefined && !/^\d{2}:\d{2}$/.test(String(el.initial_time))) bad(`${path}/initial_time`, 'must be HH:mm');
  };
  const block = (b: unknown, path: string) => {
    if (!isObject(b)) return bad(path, 'must be a block object');
    str(b.block_id, `${path}/block_id`, 255);
    switch (b.type) {
      case 'section':
        if (b.text === undefined && b.fields === undefined) bad(path, 'must provide either text or fields');
        text(b.text, `${path}/text`, 3000, { mrkdwn: true });
        if (b.fields !== undefined) list(b.fields, `${path}/fields`, 10).forEach((f, i) => text(f, `${path}/fields/${i}`, 2000, { mrkdwn: true, required: true }));
        if (b.accessory !== undefined) element(b.accessory, `${path}/accessory`, 'accessory');
        return;
      case 'header':
        return text(b.text, `${path}/text`, 150, { required: true });
      case 'context':
        return list(b.elements, `${path}/elements`, 10).forEach((e, i) => {
          if (isObject(e) && e.type === 'image') element(e, `${path}/elements/${i}`, 'accessory');
          else text(e, `${path}/elements/${i}`, 3000, { mrkdwn: true, required: true });
        });
      case 'actions': {
        const elements = list(b.elements, `${path}/elements`, 25);
        elements.forEach((e, i) => element(e, `${path}/elements/${i}`, 'actions'));
        const ids = elements.map((e) => (isObject(e) ? e.action_id : undefined)).filter((id) => id !== undefined);
        if (new Set(ids).size !== ids.length) bad(`${path}/elements`, 'action_id must be unique in a block');
        return;
      }
      case 'input':
        text(b.label, `${path}/label`, 2000, { required: true });
        text(b.hint, `${path}/hint`, 2000);
        return element(b.element, `${path}/element`, 'input');
      case 'image':
        str(b.image_url, `${path}/image_url`, 3000);
        str(b.alt_text, `${path}/alt_text`, 2000);
        return text(b.title, `${path}/title`, 2000);
      default:
        if (!BLOCKS.has(String(b.type))) bad(`${path}/type`, `unsupported block type: ${String(b.type)}`);
    }
  };
  const blocks = (v: unknown, path: string, max: number) => {
    if (v === undefined) return;
    const all = list(v, path, max, 0);
    all.forEach((b, i) => block(b, `${path}/${i}`));
    const seen = new Set<unknown>();
    all.forEach((b, i) => {
      const id = isObject(b) ? b.block_id : undefined;
      if (id !== undefined && seen.has(id)) bad(`${path}/${i}/block_id`, `duplicate block_id: ${String(id)}`);
      seen.add(id);
    });
  };

  if (surface === 'message') {
    blocks(payload.blocks, '/blocks', 50);
    return problems.length > 0 ? { error: 'invalid_blocks', messages: problems } : undefined;
  }
  // "greater than 250kb" (views.open): read as 250,000 bytes of JSON.
  if (Buffer.byteLength(JSON.stringify(payload)) > 250_000) return { error: 'view_too_large', messages: [] };
  if (surface === 'modal') {
    text(payload.title, '/view/title', 24, { required: true });
    text(payload.submit, '/view/submit', 24);
    text(payload.close, '/view/close', 24);
    const hasInput = Array.isArray(payload.blocks) && payload.blocks.some((b) => isObject(b) && b.type === 'input');
    if (hasInput && payload.submit === undefined) bad('/view/submit', 'submit is required when the view has an input block');
  }
  str(payload.private_metadata, '/view/private_metadata', 3000);
  str(payload.callback_id, '/view/callback_id', 255);
  str(payload.external_id, '/view/external_id', 255);
  blocks(payload.blocks, '/view/blocks', 100);
  return problems.length > 0 ? { error: 'invalid_arguments', messages: problems } : undefined;
}
