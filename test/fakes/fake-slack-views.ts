// Views in the fake Slack: trigger ids that work once and expire, views.open / push / update with hash checks, and
// views.publish of a Home tab per user (the latest one kept, with the same checks).
import { randomBytes } from 'node:crypto';
import { slackRefusal } from './block-kit-limits.js';
import { optString, requireString, SlackMethodError, type SlackArgs } from './fake-slack-args.js';

export interface StoredView extends Record<string, unknown> {
  id: string;
  hash: string;
  type: string;
  blocks: unknown[];
  callback_id: string;
  private_metadata: string;
  external_id: string;
  state: { values: Record<string, unknown> };
  root_view_id: string;
  previous_view_id: string | null;
  /** The trigger that opened or pushed it (not part of Slack's view object; handy in tests). */
  trigger_id: string;
}

export interface ViewsConfig {
  teamId: string;
  appId: string;
  botId: string;
  /** Unregistered trigger ids with this prefix are accepted (once). */
  triggerPrefix: string;
  triggerTtlMs: number;
}

function viewArg(args: SlackArgs, type: 'modal' | 'home' = 'modal'): Record<string, unknown> {
  const v = args.view;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SlackMethodError('invalid_arguments');
  const view = v as Record<string, unknown>;
  if (view.type !== type) throw new SlackMethodError('invalid_arguments');
  if (view.blocks !== undefined && !Array.isArray(view.blocks)) throw new SlackMethodError('invalid_arguments');
  const refusal = slackRefusal(type, view);
  if (refusal) throw new SlackMethodError(refusal.error, refusal.messages);
  return view;
}

function appFields(spec: Record<string, unknown>, fallbackExternalId = '') {
  return {
    type: spec.type === 'home' ? 'home' : 'modal',
    blocks: (spec.blocks as unknown[] | undefined) ?? [],
    callback_id: (spec.callback_id as string | undefined) ?? '',
    private_metadata: (spec.private_metadata as string | undefined) ?? '',
    external_id: (spec.external_id as string | undefined) ?? fallbackExternalId,
  };
}

export class FakeSlackViews {
  readonly byId = new Map<string, StoredView>();
  /** user id → the Home tab last published for them. */
  readonly homes = new Map<string, StoredView>();
  /** trigger id → when it was issued (ms). Used triggers move to `used`. */
  private readonly triggers = new Map<string, number>();
  private readonly used = new Set<string>();
  private seq = 0;

  constructor(private readonly cfg: ViewsConfig) {}

  registerTrigger(id: string, issuedAt = Date.now()): void {
    this.triggers.set(id, issuedAt);
    this.used.delete(id);
  }

  private consumeTrigger(args: SlackArgs): string {
    const id = requireString(args, 'trigger_id');
    if (this.used.has(id)) throw new SlackMethodError('invalid_trigger_id');
    let issuedAt = this.triggers.get(id);
    if (issuedAt === undefined && id.startsWith(this.cfg.triggerPrefix)) {
      // `<prefix><epoch ms>.<random>` carries its issue time, so it can expire like a real one.
      const embedded = /^(\d{13})\./.exec(id.slice(this.cfg.triggerPrefix.length));
      issuedAt = embedded ? Number(embedded[1]) : Date.now();
    }
    if (issuedAt === undefined) throw new SlackMethodError('invalid_trigger_id');
    this.used.add(id);
    this.triggers.delete(id);
    if (Date.now() - issuedAt > this.cfg.triggerTtlMs) throw new SlackMethodError('expired_trigger_id');
    return id;
  }

  private newHash(): string {
    return `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  /** views.open and views.push: a new view on a fresh trigger. */
  open(args: SlackArgs): { view: StoredView } {
    const spec = viewArg(args);
    const triggerId = this.consumeTrigger(args);
    this.seq += 1;
    const id = `V${this.seq.toString(36).toUpperCase().padStart(10, '0')}`;
    const view: StoredView = {
      ...spec,
      ...appFields(spec),
      id,
      team_id: this.cfg.teamId,
      state: { values: {} },
      hash: this.newHash(),
      root_view_id: id,
      previous_view_id: null,
      app_id: this.cfg.appId,
      bot_id: this.cfg.botId,
      trigger_id: triggerId,
    };
    this.byId.set(id, view);
    return { view };
  }

  /** views.update by view_id or external_id; a given hash must be the current one. */
  update(args: SlackArgs): { view: StoredView } {
    const spec = viewArg(args);
    const viewId = optString(args, 'view_id');
    const externalId = optString(args, 'external_id');
    if (!viewId && !externalId) throw new SlackMethodError('invalid_arguments');
    const current = viewId ? this.byId.get(viewId) : [...this.byId.values()].find((v) => v.external_id === externalId);
    if (!current) throw new SlackMethodError('not_found');
    const hash = optString(args, 'hash');
    if (hash !== undefined && hash !== current.hash) throw new SlackMethodError('hash_conflict');
    const { id, root_view_id, previous_view_id, state, trigger_id, team_id, app_id, bot_id } = current;
    const next: StoredView = {
      ...spec,
      ...appFields(spec, current.external_id),
      ...{ id, root_view_id, previous_view_id, state, trigger_id, team_id, app_id, bot_id },
      hash: this.newHash(),
    };
    this.byId.set(id, next);
    return { view: next };
  }

  /** views.publish: the user's Home tab, replaced whole; a given hash must be the one of the current home. */
  publish(args: SlackArgs): { view: StoredView } {
    const userId = requireString(args, 'user_id');
    if (!/^[UW][A-Z0-9]+$/.test(userId)) throw new SlackMethodError('invalid_arguments');
    const spec = viewArg(args, 'home');
    const current = this.homes.get(userId);
    const hash = optString(args, 'hash');
    if (hash !== undefined && hash !== current?.hash) throw new SlackMethodError('hash_conflict');
    this.seq += 1;
    const id = current?.id ?? `V${this.seq.toString(36).toUpperCase().padStart(10, '0')}`;
    const view: StoredView = {
      ...spec,
      ...appFields(spec),
      id,
      team_id: this.cfg.teamId,
      state: { values: {} },
      hash: this.newHash(),
      root_view_id: id,
      previous_view_id: null,
      app_id: this.cfg.appId,
      bot_id: this.cfg.botId,
      trigger_id: '',
    };
    this.homes.set(userId, view);
    return { view };
  }
}
