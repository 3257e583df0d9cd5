// `/atlas-restore drills` (the people named in the policy) and `/atlas-restore drill <name>` (approvers of its target).
import { clusterKey, isApproverOf } from '../policy/policy.js';
import { isNamedInPolicy } from '../policy/visibility.js';
import type { Services } from './services.js';
import { drillWaitingAnswer, renderDrills } from './views/drill-messages.js';

export async function answerDrills(services: Services, user: string): Promise<string> {
  if (!(await isNamedInPolicy(services.policy, services.resolver, user))) {
    return "You're not named in the restore policy, so there are no drills to show you.";
  }
  return renderDrills(await services.listDrills());
}

export async function runDrillNow(services: Services, user: string, name: string): Promise<string> {
  // Someone outside the policy learns nothing of its drills, not even whether this one exists.
  if (!(await isNamedInPolicy(services.policy, services.resolver, user))) {
    await services.store.audit({ type: 'refused', user, detail: `drill ${name}: not named in the policy` }).catch(() => undefined);
    return "You're not named in the restore policy, so there are no drills you can run.";
  }
  const drills = services.drills();
  const drill = drills.find((d) => d.name.toLowerCase() === name.toLowerCase());
  if (!drill) {
    const mayRun = await Promise.all(drills.map((d) => isApproverOf(services.policy, services.resolver, user, d.target)));
    const names = drills.filter((_, i) => mayRun[i]!.allowed).map((d) => `\`${d.name}\``);
    return `There is no drill \`${name}\` in the restore policy.${names.length > 0 ? ` Drills you can run: ${names.join(', ')}.` : ''}`;
  }
  const approver = await isApproverOf(services.policy, services.resolver, user, drill.target);
  if (!approver.allowed) {
    await services.store.audit({ type: 'refused', user, detail: `drill ${drill.name}: ${approver.message}` }).catch(() => undefined);
    return `Only approvers of \`${clusterKey(drill.target)}\` can run the drill \`${drill.name}\`. ${approver.message}`;
  }
  // A run of this drill that is still restoring holds its target: say so instead of starting one that would be skipped.
  const running = (await services.store.listActive()).find((r) => r.drill?.name === drill.name);
  if (running) return `Drill \`${drill.name}\` is already running as ${running.id}; its thread is in <#${drill.channel}>.`;
  // A run of it that waits out Atlas trouble (its scheduled run, or one on command): a second would wait for the same.
  const waiting = (await services.listDrills()).find((d) => d.name === drill.name)?.waiting;
  if (waiting) return drillWaitingAnswer(drill, waiting);
  const started = await services.tracker.runDrillNow(drill.name, user);
  return started
    ? `Drill \`${drill.name}\` is starting: its card and thread will be in <#${drill.channel}>.`
    : `Drill \`${drill.name}\` was started a moment ago; its card is in <#${drill.channel}>.`;
}
