// The restore modal's private_metadata and its source-scoped block ids.
import { z } from 'zod';
import { SNAPSHOT_BLOCK_ID_PREFIX, TARGET_BLOCK_ID_PREFIX } from './ids.js';
import { LEFT_OUT_NAME_MAX, LEFT_OUT_NAMED, type LeftOutNamespaces } from './modal-choices.js';

/** What the modal carries in private_metadata (JSON, ≤ 3000 chars). */
export interface ModalMeta {
  /** Where the request card will be posted. */
  channel: string;
  /** The viewer's IANA timezone, so a rebuild after a source change needs no users.info. */
  timeZone?: string | undefined;
  /**
   * What was entered in blocks that a choice can hide (the namespaces box, the time picker). Slack forgets an input
   * once its block is gone from the view; switching the radio back shows these again instead of an empty box.
   */
  kept?: KeptInputs | undefined;
}

export interface KeptInputs {
  namespacesText?: string | undefined;
  /** Unix seconds. */
  pointInTime?: number | undefined;
  /** The command's namespaces that did not fit in the box: the box on a rebuild holds only the others. */
  leftOut?: LeftOutNamespaces | undefined;
}

/** Slack's limit for private_metadata. */
const MAX_METADATA_LENGTH = 3000;

const modalMetaSchema = z.object({
  channel: z.string().regex(/^[CGD][A-Z0-9]+$/),
  timeZone: z.string().max(100).optional(),
  kept: z
    .object({
      namespacesText: z.string().max(MAX_METADATA_LENGTH).optional(),
      pointInTime: z.number().int().optional(),
      leftOut: z.object({ first: z.array(z.string().max(LEFT_OUT_NAME_MAX)).max(LEFT_OUT_NAMED), count: z.number().int().positive() }).optional(),
    })
    .optional(),
});

export class ModalMetaError extends Error {
  override readonly name = 'ModalMetaError';
  readonly code = 'SLACK_MODAL_METADATA_INVALID';
}

export function buildModalMeta(meta: ModalMeta): string {
  const base = meta.timeZone === undefined ? { channel: meta.channel } : { channel: meta.channel, timeZone: meta.timeZone };
  const { namespacesText, pointInTime, leftOut } = meta.kept ?? {};
  const small = { ...(pointInTime !== undefined ? { pointInTime } : {}), ...(leftOut ? { leftOut } : {}) };
  const kept = { ...(namespacesText ? { namespacesText } : {}), ...small };
  const full = JSON.stringify(Object.keys(kept).length > 0 ? { ...base, kept } : base);
  if (full.length <= MAX_METADATA_LENGTH) return full;
  // A namespaces list near the box's own limit doesn't fit beside the rest: it is the one thing not kept.
  return JSON.stringify(Object.keys(small).length > 0 ? { ...base, kept: small } : base);
}

/** Throws ModalMetaError (SLACK_MODAL_METADATA_INVALID) when the metadata isn't ours. */
export function parseModalMeta(text: string): ModalMeta {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ModalMetaError('The modal metadata is not JSON');
  }
  const result = modalMetaSchema.safeParse(data);
  if (!result.success) throw new ModalMetaError('The modal metadata has no valid channel');
  return result.data;
}

/** Block id of the snapshot select for a given source ("restore_snapshot:shop/orders"). */
export function snapshotBlockId(sourceKey: string | undefined): string {
  return `${SNAPSHOT_BLOCK_ID_PREFIX}:${sourceKey ?? ''}`;
}

/** Block id of the target select for a given source ("restore_target:shop/orders"). */
export function targetBlockId(sourceKey: string | undefined): string {
  return `${TARGET_BLOCK_ID_PREFIX}:${sourceKey ?? ''}`;
}
