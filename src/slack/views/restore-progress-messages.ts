// Thread messages between the approval and the end of a restore's newer kinds: the safety snapshot, a collection
// restore's progress, and the lines the final message adds (each namespace, how to undo). Pure.
import type { RestoreRequest } from '../../restore/types.js';
import { clusterKey } from '../../policy/policy.js';
import { escapeText } from './format.js';
import { clusterLabel } from './request-card.js';
import type { ThreadMessage } from './thread-messages.js';

const count = (n: number | undefined): string => (n === undefined ? '?' : n.toLocaleString('en-US'));

export function safetySnapshotStartedMessage(req: RestoreRequest): ThreadMessage {
  const id = req.safetySnapshot?.id ?? '?';
  return {
    text: `:camera_with_flash: Taking a safety snapshot of ${clusterLabel(req.target)} first: \`${escapeText(id)}\` (kept ${req.safetySnapshot?.retentionInDays ?? '?'} days). The restore is sent when it has completed; if it fails, nothing is restored.`,
  };
}

export function safetySnapshotCompletedMessage(req: RestoreRequest): ThreadMessage {
  return { text: `:white_check_mark: Safety snapshot \`${escapeText(req.safetySnapshot?.id ?? '?')}\` of ${clusterLabel(req.target)} completed. Sending the restore now.` };
}

export function progressMessage(req: RestoreRequest): ThreadMessage {
  const p = req.progress;
  const pct = p && p.totalDocuments > 0 ? Math.floor((p.restoredDocuments / p.totalDocuments) * 100) : 0;
  return { text: `:arrows_counterclockwise: ${req.id}: ${pct} % restored (${count(p?.restoredDocuments)} of ${count(p?.totalDocuments)} documents).` };
}

/** Each namespace of a finished collection restore: outcome, documents, where it was written, Atlas's words. */
export function namespaceLines(req: RestoreRequest): string[] {
  // All of them: the final message packs them into sections and says how many it had no room for.
  return (req.namespaceResults ?? []).map((r) => {
    // A namespace Atlas didn't find or didn't restore was written nowhere, whatever target it was asked for.
    const written = r.state !== 'not_found' && r.state !== 'not_restored' && r.state !== 'unsupported';
    const where = !written ? '' : r.effectiveTargetNamespace && r.effectiveTargetNamespace !== r.sourceNamespace ? ` → \`${escapeText(r.effectiveTargetNamespace)}\`` : r.effectiveTargetNamespace ? ' (in place)' : '';
    const docs = r.restoredDocuments !== undefined || r.totalDocuments !== undefined ? `, ${count(r.restoredDocuments)} of ${count(r.totalDocuments)} documents` : '';
    const why = r.errorMessage ? `: ${escapeText(r.errorMessage)}` : '';
    // "unsupported" alone reads like a detail: say that the collection is not on the target, and why.
    const outcome = r.state === 'unsupported' ? "not restored (unsupported by Atlas's collection restore)" : escapeText(r.state.replace(/_/g, ' '));
    return `• \`${escapeText(r.sourceNamespace)}\`${where}: ${outcome}${docs}${why}`;
  });
}

/** The `only …` list of an undo command longer than this is not spelled out (the summary section holds 3000). */
const UNDO_COMMAND_CHARS = 1200;

/**
 * How to undo a restore whose target had a safety snapshot taken. A whole-cluster restore is undone by restoring the
 * whole snapshot; a collection restore that replaced namespaces (OVERWRITE_EXISTING) by restoring the same
 * namespaces from it, replacing them again: restoring the whole snapshot would also throw away every write made to
 * the rest of the target since. A restore beside the live data (CREATE_NEW) replaced nothing, so has no undo line.
 */
export function undoLine(req: RestoreRequest): string | undefined {
  const s = req.safetySnapshot;
  if (!s?.id || s.status !== 'completed') return undefined;
  const snapshot = `the safety snapshot \`${escapeText(s.id)}\` of ${clusterLabel(req.target)}`;
  if (!req.namespaces || req.namespaces.length === 0) {
    return `:leftwards_arrow_with_hook: To undo: restore ${snapshot}: \`/atlas-restore ${clusterKey(req.target)} ${escapeText(s.id)}\`.`;
  }
  if (req.writeStrategy !== 'OVERWRITE_EXISTING') return undefined;
  const replace = 'and choose "Replace them on the target" in the form';
  const command = `/atlas-restore ${clusterKey(req.target)} ${s.id} only ${req.namespaces.map((n) => n.sourceNamespace).join(',')}`;
  if (command.length > UNDO_COMMAND_CHARS) {
    return `:leftwards_arrow_with_hook: To undo: restore the same ${req.namespaces.length} namespaces from ${snapshot} (\`/atlas-restore ${clusterKey(req.target)} ${escapeText(s.id)} only\` followed by the list that \`/atlas-restore status ${req.id}\` gives), ${replace}. Not the whole snapshot: that would also undo every write to the rest of the target since.`;
  }
  return `:leftwards_arrow_with_hook: To undo: restore the same namespaces from ${snapshot}: \`${escapeText(command)}\`, ${replace}. Not the whole snapshot: that would also undo every write to the rest of the target since.`;
}

/**
 * A collection restore whose per-namespace outcome Atlas didn't give (its reads kept failing at the end): the message
 * can't say which were restored or where, so it says where to look.
 */
export function unreadNamespacesLine(req: RestoreRequest): string | undefined {
  if (!req.namespaces || req.namespaces.length === 0 || req.namespaceResults !== undefined || !req.atlasJobId) return undefined;
  const job = escapeText(req.atlasJobId);
  return (
    `:warning: Atlas did not give the outcome of each namespace (reading it failed), so I can't say which were restored or where they were written. ` +
    `Look at collection restore job \`${job}\` of ${clusterLabel(req.source)} in Atlas (the cluster's Backup page, its restores), or \`GET …/clusters/${escapeText(req.source.cluster)}/collectionRestoreJobs/${job}/collections\`.`
  );
}
