// What a person does in Slack, done the way Slack does it: signed slash commands, view submissions and button
// clicks posted to the app's /slack/events. The demo's Alice and Bob are two of these.
import type { FakeSlack, StoredMessage, StoredView } from '../test/fakes/fake-slack.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission } from '../test/helpers/slack-requests.js';
import { waitFor } from '../test/helpers/wait-for.js';
import { filledView, type ModalFields as FilledFields } from '../test/integration/modal-fill.js';

export interface ModalFields extends FilledFields {
  reason: string;
  confirmation?: string;
}

export interface ActorContext {
  slack: FakeSlack;
  appUrl: string;
  signingSecret: string;
  channel: string;
}

let responseUrls = 0;

export function actor(ctx: ActorContext, userId: string) {
  return {
    userId,
    /** Types a slash command; resolves with the app's ack body (ephemeral answers come back there). */
    async command(text: string): Promise<unknown> {
      const responseUrl = ctx.slack.responseUrl(`demo-${++responseUrls}`, { channelId: ctx.channel, userId });
      const res = await sendSlashCommand(ctx.appUrl, ctx.signingSecret, { text, userId, channelId: ctx.channel, responseUrl });
      if (res.status !== 200) throw new Error(`DEMO_COMMAND_REFUSED: the app answered ${res.status} to /atlas-restore ${text}`);
      return res.json;
    },
    /** Presses "Request restore": the values of every field, as Slack sends them in `view.state`. */
    async submitModal(view: StoredView, fields: ModalFields): Promise<unknown> {
      // Filled as the tests fill it: what the user typed, the rest as the modal pre-selected it.
      const filled = filledView(view, fields);
      const values = (filled.state as { values: Record<string, unknown> }).values;
      const res = await sendViewSubmission(ctx.appUrl, ctx.signingSecret, { userId, view: { ...view, state: { values } } });
      if (res.status !== 200) throw new Error(`DEMO_SUBMIT_REFUSED: the app answered ${res.status} to the modal submission`);
      return res.json;
    },
    /** Clicks a button of a message (the request card); the value is what the button carries. */
    async click(card: StoredMessage, actionId: string): Promise<void> {
      const button = findButton(card, actionId);
      if (!button) throw new Error(`DEMO_NO_BUTTON: the card has no ${actionId} button`);
      const res = await sendBlockAction(ctx.appUrl, ctx.signingSecret, {
        actionId,
        value: button.value,
        buttonText: button.text,
        userId,
        channelId: ctx.channel,
        messageTs: card.ts,
        message: { type: 'message', ts: card.ts, text: card.text, blocks: card.blocks },
      });
      if (res.status !== 200) throw new Error(`DEMO_CLICK_REFUSED: the app answered ${res.status} to ${actionId}`);
    },
  };
}

export type Actor = ReturnType<typeof actor>;

export function findButton(card: StoredMessage, actionId: string): { value: string; text: string } | undefined {
  for (const block of card.blocks as { elements?: { action_id?: string; value?: string; text?: { text?: string } }[] }[]) {
    const el = block.elements?.find((e) => e.action_id === actionId);
    if (el) return { value: el.value ?? '', text: el.text?.text ?? actionId };
  }
  return undefined;
}

/** The restore modal once it offers snapshots (the app opens it "loading" and fills it in with views.update). */
export function waitForFilledModal(slack: FakeSlack, after: number, timeoutMs = 8000): Promise<StoredView> {
  return waitFor(
    () =>
      slack
        .views()
        .slice(after)
        .reverse()
        .find((v) => {
          const blocks = v.blocks as { block_id?: string; element?: { options?: unknown[] } }[];
          const snap = blocks.find((b) => b.block_id?.startsWith('restore_snapshot') && b.element);
          return v.callback_id === 'atlas_restore_modal' && (snap?.element?.options?.length ?? 0) > 0;
        }),
    { timeoutMs, intervalMs: 50, message: 'the restore modal with its snapshots' },
  );
}
