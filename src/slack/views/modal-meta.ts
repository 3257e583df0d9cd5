// The restore modal's private_metadata and its source-scoped block ids.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
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
      /** namespacesText deflated, base64: a box near its 3000 characters doesn't fit beside the rest as it is. */
      namespacesPacked: z.string().max(MAX_METADATA_LENGTH).optional(),
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
  if (full.length <= MAX_METADATA_LENGTH || !namespacesText) return full;
  // A list near the box's own limit doesn't fit beside the rest as it is; deflated, names with much in common do.
  const packed = JSON.stringify({ ...base, kept: { namespacesPacked: deflateRawSync(namespacesText).toString('base64'), ...small } });
  if (packed.length <= MAX_METADATA_LENGTH) return packed;
  // Even deflated it doesn't fit: it is the one thing not kept.
  return JSON.stringify(Object.keys(small).length > 0 ? { ...base, kept: small } : base);
}

function unpack(packed: string): string {
  try {
    // Never more than the box holds: Slack's plain_text_input takes 3000 characters, at most 4 bytes each.
    return inflateRawSync(Buffer.from(packed, 'base64'), { maxOutputLength: 4 * MAX_METADATA_LENGTH }).toString('utf8');
  } catch {
    throw new ModalMetaError('The modal metadata has namespaces that cannot be read');
  }
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
  const { namespacesPacked, ...kept } = result.data.kept ?? {};
  if (namespacesPacked === undefined) return result.data;
  return { ...result.data, kept: { ...kept, namespacesText: unpack(namespacesPacked) } };
}

/** Block id of the snapshot select for a given source ("restore_snapshot:shop/orders"). */
export function snapshotBlockId(sourceKey: string | undefined): string {
  return `${SNAPSHOT_BLOCK_ID_PREFIX}:${sourceKey ?? ''}`;
}

/** Block id of the target select for a given source ("restore_target:shop/orders"). */
export function targetBlockId(sourceKey: string | undefined): string {
  return `${TARGET_BLOCK_ID_PREFIX}:${sourceKey ?? ''}`;
}
