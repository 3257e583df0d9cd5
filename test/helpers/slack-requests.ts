// Talk to our Bolt app the way Slack does: signed POSTs to /slack/events.
// Payload shapes are copied from test/contracts/slack-payloads/ (Slack's published examples, vendored);
// slack-receiver.test.ts checks that they still carry the same fields as those files.
import { createHmac, randomBytes } from 'node:crypto';

/** Triggers made here start with this; the fake Slack accepts any of them once (see fake-slack.ts). */
export const TEST_TRIGGER_PREFIX = 'trigger-';

/** `trigger-<epoch ms>.<random>`: the fake reads the issue time from it to expire it after 3 s, like Slack. */
export function newTriggerId(): string {
  return `${TEST_TRIGGER_PREFIX}${Date.now()}.${randomBytes(8).toString('hex')}`;
}

/**
 * Where `respond()` goes when a test gives no response_url: a closed port on localhost,
 * so a forgotten URL fails fast instead of reaching hooks.slack.com.
 */
export const UNUSABLE_RESPONSE_URL = 'http://127.0.0.1:9/no-response-url-given';

export interface SlackRequestHeaders {
  'X-Slack-Signature': string;
  'X-Slack-Request-Timestamp': string;
}

/** `v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + rawBody))`, with the timestamp in seconds. */
export function signSlackRequest(
  secret: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): SlackRequestHeaders {
  const sig = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'X-Slack-Signature': `v0=${sig}`, 'X-Slack-Request-Timestamp': String(timestamp) };
}

export interface SendOptions {
  /** Sets `X-Slack-Retry-Num` (and `X-Slack-Retry-Reason`), as Slack does when it redelivers. */
  retryNum?: number;
  retryReason?: string;
  /** forged: signed with another secret; unsigned: no signature headers; stale: signed 6 minutes ago. */
  tamper?: 'forged' | 'unsigned' | 'stale';
  /** Signing time in seconds (default now). */
  timestamp?: number;
}

export interface SlackAppResponse {
  status: number;
  body: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
  headers: Record<string, string>;
}

export const TEAM = { id: 'T0001', domain: 'example', enterprise_id: 'E0001', enterprise_name: 'Globular Construct Inc' };
const ENTERPRISE = { id: 'E0001', name: 'Globular Construct Inc' };
export const APP_ID = 'A123456';
export const VERIFICATION_TOKEN = 'gIkuvaNzQIHg97ATvDxqgjtO';

function slackUser(userId: string, userName?: string): Record<string, string> {
  const name = userName ?? userId.toLowerCase();
  return { id: userId, username: name, name, team_id: TEAM.id };
}

/** POSTs a raw body to `${appUrl}/slack/events`, signed (or tampered with) as asked. */
export async function postToSlackEndpoint(
  appUrl: string,
  secret: string,
  rawBody: string,
  opts: SendOptions = {},
  contentType = 'application/x-www-form-urlencoded',
): Promise<SlackAppResponse> {
  const headers: Record<string, string> = { 'Content-Type': contentType };
  const now = opts.timestamp ?? Math.floor(Date.now() / 1000);
  if (opts.tamper !== 'unsigned') {
    const ts = opts.tamper === 'stale' ? now - 6 * 60 : now;
    const key = opts.tamper === 'forged' ? `${secret}-forged` : secret;
    Object.assign(headers, signSlackRequest(key, rawBody, ts));
  }
  if (opts.retryNum !== undefined) {
    headers['X-Slack-Retry-Num'] = String(opts.retryNum);
    headers['X-Slack-Retry-Reason'] = opts.retryReason ?? 'http_timeout';
  }
  const res = await fetch(`${appUrl.replace(/\/$/, '')}/slack/events`, { method: 'POST', headers, body: rawBody });
  const body = await res.text();
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body, json, headers: Object.fromEntries(res.headers.entries()) };
}

function postPayload(appUrl: string, secret: string, payload: unknown, opts?: SendOptions): Promise<SlackAppResponse> {
  return postToSlackEndpoint(appUrl, secret, `payload=${encodeURIComponent(JSON.stringify(payload))}`, opts);
}

export interface SlashCommandInput {
  text: string;
  userId: string;
  channelId: string;
  command?: string;
  triggerId?: string;
  responseUrl?: string;
  userName?: string;
  channelName?: string;
}

/** The form fields of slash_command.txt, in the same order. */
export function buildSlashCommandBody(input: SlashCommandInput): string {
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    enterprise_id: TEAM.enterprise_id,
    enterprise_name: TEAM.enterprise_name,
    channel_id: input.channelId,
    channel_name: input.channelName ?? 'db-ops',
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command ?? '/atlas-restore',
    text: input.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl ?? UNUSABLE_RESPONSE_URL,
    trigger_id: input.triggerId ?? newTriggerId(),
  }).toString();
}

export function sendSlashCommand(appUrl: string, secret: string, input: SlashCommandInput, opts?: SendOptions) {
  return postToSlackEndpoint(appUrl, secret, buildSlashCommandBody(input), opts);
}

export interface BlockActionInput {
  actionId: string;
  value?: string;
  userId: string;
  channelId: string;
  messageTs: string;
  blockId?: string;
  triggerId?: string;
  responseUrl?: string;
  /** The message the button sits on (as the fake stored it); a minimal one is made otherwise. */
  message?: Record<string, unknown>;
  /** Button by default; pass e.g. 'static_select' with selectedOption for a select. */
  actionType?: string;
  selectedOption?: { text: string; value: string };
  buttonText?: string;
  userName?: string;
}

function actionElement(input: { actionId: string; blockId?: string; value?: string; actionType?: string; selectedOption?: { text: string; value: string }; buttonText?: string }) {
  const type = input.actionType ?? 'button';
  const base = { action_id: input.actionId, block_id: input.blockId ?? 'actions', type, action_ts: `${(Date.now() / 1000).toFixed(6)}` };
  if (input.selectedOption) {
    return { ...base, selected_option: { text: { type: 'plain_text', text: input.selectedOption.text, emoji: true }, value: input.selectedOption.value } };
  }
  return { ...base, value: input.value ?? '', text: { type: 'plain_text', text: input.buttonText ?? input.actionId, emoji: true } };
}

/** block_actions.json: a click on a message button. */
export function buildBlockActionPayload(input: BlockActionInput): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: slackUser(input.userId, input.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channelId, is_ephemeral: false },
    trigger_id: input.triggerId ?? newTriggerId(),
    team: TEAM,
    enterprise: ENTERPRISE,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: 'db-ops' },
    message: input.message ?? { type: 'message', ts: input.messageTs, text: '', blocks: [], team: TEAM.id },
    state: { values: {} },
    response_url: input.responseUrl ?? UNUSABLE_RESPONSE_URL,
    actions: [actionElement(input)],
  };
}

export function sendBlockAction(appUrl: string, secret: string, input: BlockActionInput, opts?: SendOptions) {
  return postPayload(appUrl, secret, buildBlockActionPayload(input), opts);
}

/** Fills what Slack adds to a view object around the fields the app set (view_submission.json's `view`). */
export function asSlackView(view: Record<string, unknown>): Record<string, unknown> {
  const id = typeof view.id === 'string' ? view.id : 'V0123ABCD45';
  return {
    id,
    team_id: TEAM.id,
    type: 'modal',
    blocks: [],
    private_metadata: '',
    callback_id: '',
    state: { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.fakehash`,
    clear_on_close: false,
    notify_on_close: false,
    previous_view_id: null,
    root_view_id: id,
    app_id: APP_ID,
    external_id: '',
    app_installed_team_id: TEAM.id,
    bot_id: 'B0123BOT456',
    ...view,
  };
}

export interface ViewSubmissionInput {
  view: Record<string, unknown>;
  userId: string;
  triggerId?: string;
  userName?: string;
}

export function buildViewSubmissionPayload(input: ViewSubmissionInput): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: TEAM,
    user: slackUser(input.userId, input.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? newTriggerId(),
    view: asSlackView(input.view),
    response_urls: [],
    is_enterprise_install: false,
    enterprise: ENTERPRISE,
  };
}

export function sendViewSubmission(appUrl: string, secret: string, input: ViewSubmissionInput, opts?: SendOptions) {
  return postPayload(appUrl, secret, buildViewSubmissionPayload(input), opts);
}

export interface ViewActionInput {
  actionId: string;
  blockId?: string;
  userId: string;
  view: Record<string, unknown>;
  value?: string;
  actionType?: string;
  selectedOption?: { text: string; value: string };
  triggerId?: string;
  userName?: string;
}

/** block_actions from an element inside a modal (`dispatch_action` inputs, selects in sections). */
export function buildViewActionPayload(input: ViewActionInput): Record<string, unknown> {
  const view = asSlackView(input.view);
  return {
    type: 'block_actions',
    user: slackUser(input.userId, input.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'view', view_id: view.id },
    trigger_id: input.triggerId ?? newTriggerId(),
    team: TEAM,
    enterprise: ENTERPRISE,
    is_enterprise_install: false,
    view,
    actions: [actionElement({ ...input, actionType: input.actionType ?? (input.selectedOption ? 'static_select' : 'button') })],
  };
}

export function sendViewAction(appUrl: string, secret: string, input: ViewActionInput, opts?: SendOptions) {
  return postPayload(appUrl, secret, buildViewActionPayload(input), opts);
}

export interface BlockSuggestionInput {
  actionId: string;
  blockId: string;
  /** What the user typed. */
  value: string;
  userId: string;
  view: Record<string, unknown>;
  userName?: string;
}

/** block_suggestion: an external_select asking the app for options; the app answers in the ack body. */
export function buildBlockSuggestionPayload(input: BlockSuggestionInput): Record<string, unknown> {
  const view = asSlackView(input.view);
  return {
    type: 'block_suggestion',
    user: slackUser(input.userId, input.userName),
    container: { type: 'view', view_id: view.id },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    action_id: input.actionId,
    block_id: input.blockId,
    value: input.value,
    team: TEAM,
    enterprise: ENTERPRISE,
    is_enterprise_install: false,
    view,
  };
}

export function sendBlockSuggestion(appUrl: string, secret: string, input: BlockSuggestionInput, opts?: SendOptions) {
  return postPayload(appUrl, secret, buildBlockSuggestionPayload(input), opts);
}
