// /atlas-restore: parse, answer help/status/list privately, or open the restore modal at once and fill it in after.
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { clusterKey, findCluster, mayUseChannel } from '../policy/policy.js';
import { MembershipLookupError } from '../policy/resolve-usergroups.js';
import { isNamedInPolicy, maySee, visibleTo } from '../policy/visibility.js';
import { normalizeRequestId } from '../restore/request-id.js';
import { FINAL_REQUEST_STATES, type RestoreRequest } from '../restore/types.js';
import { misspeltKeyword } from './misspelt-keyword.js';
import { parseCommand, usageText, type Command } from './parse-command.js';
import type { Services } from './services.js';
import { allowedClusters, type AllowedClusters } from './build-modal-state.js';
import { openRestoreModal } from './open-restore-modal.js';
import { helpText, renderList, renderStatus } from './views/status-views.js';
import { splitText } from './views/format.js';
import { withDeadline } from './with-deadline.js';
import { answerDrills, runDrillNow } from './handle-drill-commands.js';
import { loadSourceFacts } from './load-modal-sources.js';
import { collectionsUnavailable, pointInTimeUnavailable } from './views/source-facts.js';
import { findUsableCluster } from './find-usable-cluster.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** A response URL takes 5 messages. */
const RESPONSE_URL_USES = 5;

/**
 * A private answer that may be long (`list` of a big policy, `drills`): Slack would cut one message past 40,000
 * characters, so it goes in as many as it takes, each cut between lines.
 */
async function respondInParts(respond: CommandArgs['respond'], text: string): Promise<void> {
  for (const part of splitText(text, undefined, RESPONSE_URL_USES)) await respond({ response_type: 'ephemeral', text: part });
}

/** What a user reads while Redis (the restore records) can't be reached: never a form that would fail on submit. */
export const STORE_UNAVAILABLE_TEXT = 'The restore records (Redis) cannot be reached right now, so nothing can be requested or looked up. Try again in a minute; if it persists, tell the bot\'s operators.';

export function handleCommand(services: Services) {
  return async (args: CommandArgs): Promise<void> => {
    const { command, ack } = args;
    const parsed = parseCommand(command.text ?? '');
    // Before what the words would mean as a restore (a source, a snapshot id): a typo of a command is said as one.
    const typo = parsed.kind === 'open' || parsed.kind === 'invalid' ? misspeltKeyword(services.policy, command.text ?? '') : undefined;
    if (typo) return ack({ response_type: 'ephemeral', text: typo });
    switch (parsed.kind) {
      case 'help':
        return ack({ response_type: 'ephemeral', text: helpText() });
      case 'invalid':
        return ack({ response_type: 'ephemeral', text: `${parsed.message}\n\n${usageText()}` });
      case 'status':
      case 'list':
        await ack();
        return answerStatus(services, args, parsed);
      case 'open':
        return openModal(services, args, parsed);
      case 'drills':
      case 'drill': {
        await ack();
        const text = await (parsed.kind === 'drills' ? answerDrills(services, command.user_id) : runDrillNow(services, command.user_id, parsed.name)).catch((err: unknown) =>
          failureText(services, err, 'drill command failed'),
        );
        await respondInParts(args.respond, text);
        return;
      }
    }
  };
}

const NOT_IN_POLICY_TEXT = "You're not named in the restore policy, so there are no restores to show you. Ask the owners of the restore policy if you need to follow them.";

async function answerStatus(services: Services, { command, respond }: CommandArgs, cmd: Extract<Command, { kind: 'status' | 'list' }>) {
  const { store, messenger, policy, resolver } = services;
  const links = async (reqs: RestoreRequest[]) =>
    new Map((await Promise.all(reqs.map(async (r) => [r.id, await messenger.permalink(r)] as const))).filter((e): e is [string, string] => !!e[1]));
  let text: string;
  try {
    if (!(await isNamedInPolicy(policy, resolver, command.user_id))) {
      await store.audit({ type: 'refused', user: command.user_id, detail: `${cmd.kind}: not named in the policy` }).catch(() => undefined);
      await respond({ response_type: 'ephemeral', text: NOT_IN_POLICY_TEXT });
      return;
    }
    const viewer = { user: command.user_id, channels: await services.channelsOf(command.user_id, command.channel_id) };
    const visible = (reqs: RestoreRequest[]) => visibleTo(policy, resolver, viewer, reqs);
    if (cmd.kind === 'list') {
      const active = await visible(await store.listActive());
      const recent = (await visible((await store.listRecent(50)).filter((r) => FINAL_REQUEST_STATES.includes(r.state)))).slice(0, 5);
      text = renderList(active, recent, await links([...active, ...recent]), services.now());
    } else if (cmd.id) {
      const requestId = normalizeRequestId(cmd.id);
      // Atlas's ids are lower-case hex: one typed or pasted in capitals names the same job.
      const jobId = /^[0-9a-f]{24}$/i.test(cmd.id) ? cmd.id.toLowerCase() : cmd.id;
      const found = (requestId ? await store.get(requestId) : null) ?? (await store.findByJobId(jobId));
      // One you may not see reads like one that doesn't exist: its existence is not yours to know either.
      const req = found && (await maySee(policy, resolver, viewer, found)) ? found : null;
      text = req ? renderStatus(req, (await links([req])).get(req.id), services.now()) : `No restore request or Atlas restore job \`${cmd.id}\` is known here. \`/atlas-restore list\` shows the recent ones.`;
    } else {
      const mine = await store.listRecent(5, command.user_id);
      text =
        mine.length > 0
          ? renderList(mine.filter((r) => !FINAL_REQUEST_STATES.includes(r.state)), mine.filter((r) => FINAL_REQUEST_STATES.includes(r.state)), await links(mine), services.now())
          : "You haven't requested any restore recently. `/atlas-restore list` shows the ones you may see.";
    }
  } catch (err) {
    text = failureText(services, err, 'status lookup failed');
  }
  await respondInParts(respond, text);
}

/** What a user reads while Slack can't list a user group their answer depends on: never "you're not named". */
export const MEMBERSHIP_LOOKUP_TEXT =
  "Your Slack user-group membership couldn't be checked just now, so I can't tell what you may see or do. Try again in a minute.";

/** A command that failed: a user-group lookup Slack didn't answer, or the restore records. */
function failureText(services: Services, err: unknown, what: string): string {
  if (err instanceof MembershipLookupError) {
    services.logger.warn({ err, groups: err.groupIds }, `${what}: user-group lookup failed`);
    return MEMBERSHIP_LOOKUP_TEXT;
  }
  services.logger.error({ err }, what);
  return STORE_UNAVAILABLE_TEXT;
}

/** Part of Slack's 3 s the policy may take to say "no" before the modal opens anyway (and says it there). */
const EARLY_REFUSAL_BUDGET_MS = 1200;

/**
 * What can be refused before a modal opens: a named cluster that isn't in the policy, and a user who may request
 * nothing. Both get a private answer instead of a form; anything slower than the budget is left to the modal.
 */
async function earlyRefusal(services: Services, allowedSoon: Promise<AllowedClusters>, cmd: Extract<Command, { kind: 'open' }>): Promise<string | undefined> {
  const [allowed, unsupported] = await Promise.all([withDeadline(allowedSoon, EARLY_REFUSAL_BUDGET_MS), unsupportedBySource(services, cmd)]);
  // First who asks, then what: someone who may use nothing hears that, and nothing about the policy's clusters.
  if (allowed && allowed.clusters.length === 0) {
    return allowed.refusal ?? "You're not allowed to request restores of any cluster in the restore policy. Ask the owners of the restore policy to add you (or your user group) to its requesters.";
  }
  for (const text of [cmd.source, cmd.target]) {
    if (!text) continue;
    const found = findUsableCluster(services.policy, text, allowed?.clusters);
    if (!found.ok) return `${found.message}\n\n${usageText()}`;
  }
  // What a source can do (its type, its backup) is said only to someone who may use it; the form explains the rest.
  const source = cmd.source ? findCluster(services.policy, cmd.source) : undefined;
  const usable = source?.ok && allowed?.clusters.some((c) => clusterKey(c) === clusterKey(source.cluster));
  return usable ? unsupported : undefined;
}

/**
 * `at …` or `only …` on a source that can't do it (Flex, serverless, continuous backup off): said privately, with
 * the reason, instead of a form that would drop what was asked. Atlas is asked within the budget (type, description,
 * schedule; usually cached); without an answer in time, the form opens and says it there.
 */
async function unsupportedBySource(services: Services, cmd: Extract<Command, { kind: 'open' }>): Promise<string | undefined> {
  if (!cmd.source || (cmd.pointInTime === undefined && !cmd.namespaces)) return undefined;
  const found = findCluster(services.policy, cmd.source);
  if (!found.ok) return undefined;
  const facts = await withDeadline(loadSourceFacts(services, found.cluster), EARLY_REFUSAL_BUDGET_MS);
  if (!facts || facts.status !== 'loaded') return undefined;
  const key = clusterKey(found.cluster);
  const why = (cmd.namespaces ? collectionsUnavailable(key, facts) : undefined) ?? (cmd.pointInTime !== undefined ? pointInTimeUnavailable(key, facts) : undefined);
  if (!why) return undefined;
  const what = cmd.namespaces && collectionsUnavailable(key, facts) ? '`only …` restores single databases or collections' : '`at …` restores to a point in time';
  return `${what}, which \`${key}\` can't do: ${why}\nRun \`/atlas-restore ${key}\` to restore the whole cluster from a snapshot.\n\n${usageText()}`;
}

async function openModal(services: Services, { command, ack, client }: CommandArgs, cmd: Extract<Command, { kind: 'open' }>) {
  const channel = mayUseChannel(services.policy, command.channel_id);
  if (!channel.allowed) {
    await services.store.audit({ type: 'refused', user: command.user_id, detail: channel.message }).catch(() => undefined);
    // Whatever was typed, the user learns what works here too.
    return ack({ response_type: 'ephemeral', text: `${channel.message} \`/atlas-restore status\`, \`list\`, \`drill\`, \`drills\` and \`help\` work in any channel.\n\n${usageText()}` });
  }
  // Fails fast (no offline queue, ≤ 1 s): well within Slack's 3 s, and better than a modal that can't be submitted.
  const allowed = allowedClusters(services, command.user_id);
  const [reachable, early] = await Promise.all([services.store.ping(), earlyRefusal(services, allowed, cmd)]);
  if (!reachable) {
    services.logger.warn({ user: command.user_id }, 'restore command refused: Redis unavailable');
    return ack({ response_type: 'ephemeral', text: STORE_UNAVAILABLE_TEXT });
  }
  if (early) {
    await services.store.audit({ type: 'refused', user: command.user_id, detail: `command: ${early.split('\n')[0]}` }).catch(() => undefined);
    return ack({ response_type: 'ephemeral', text: early });
  }
  await ack();
  await openRestoreModal(services, client, { user: command.user_id, channel: command.channel_id, triggerId: command.trigger_id, prefill: cmd, allowed });
}
