// The App Home as a person uses it, through the harness: open the tab (a signed app_home_opened into the real Bolt
// receiver), read what was published, click its buttons (block_actions from a view of type home).
import type { StoredView } from '../fakes/fake-slack.js';
import { messageToText } from '../fakes/fake-slack.js';
import { sendViewAction } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { SIGNING_SECRET, type Harness } from './conversation-harness.js';

/** How many homes were published for `user` so far. */
export function homePublishes(h: Harness, user: string): number {
  return h.slack.calls.filter((c) => c.method === 'views.publish' && c.ok && c.args.user_id === user).length;
}

/** The Home tab as a person reads it. */
export function homeText(view: StoredView | undefined): string {
  return view ? messageToText({ blocks: view.blocks }) : '';
}

/** Opens the Home tab and resolves with the home published for it. */
export async function openHome(h: Harness, user: string, tab: 'home' | 'messages' = 'home'): Promise<StoredView> {
  const before = homePublishes(h, user);
  const res = await h.slack.openHome(h.url, SIGNING_SECRET, user, tab);
  if (res.status !== 200) throw new Error(`app_home_opened answered ${res.status}: ${res.body}`);
  await waitFor(() => homePublishes(h, user) > before, { message: `a home published for ${user}` });
  return h.slack.home(user)!;
}

/** Waits until the home published for `user` satisfies `predicate` (a refresh after a change). */
export async function waitForHome(h: Harness, user: string, predicate: (text: string) => boolean, timeoutMs = 8000): Promise<StoredView> {
  return waitFor(
    () => {
      const view = h.slack.home(user);
      return view && predicate(homeText(view)) ? view : undefined;
    },
    { timeoutMs, message: `${user}'s home to match` },
  );
}

/** The block holding the button `actionId` for `value` in a view, if it shows one. */
export function findButton(view: StoredView, actionId: string, value: string): { blockId: string } | undefined {
  for (const block of view.blocks as { type?: string; block_id?: string; elements?: { action_id?: string; value?: string }[] }[]) {
    if (block.type !== 'actions') continue;
    if (block.elements?.some((e) => e.action_id === actionId && e.value === value)) return { blockId: block.block_id ?? '' };
  }
  return undefined;
}

/** Clicks a button of `view` (the user's home) as Slack sends it: no channel, container of type view. */
export async function clickInHome(h: Harness, user: string, view: StoredView, actionId: string, value: string): Promise<{ status: number }> {
  const button = findButton(view, actionId, value);
  if (!button) throw new Error(`the home shows no ${actionId} button for ${value}:\n${homeText(view)}`);
  const res = await sendViewAction(h.url, SIGNING_SECRET, { actionId, value, blockId: button.blockId, userId: user, view });
  return { status: res.status };
}
