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
    const where = r.effectiveTargetNamespace && r.effectiveTargetNamespace !== r.sourceNamespace ? ` → \`${escapeText(r.effectiveTargetNamespace)}\`` : r.effectiveTargetNamespace ? ' (in place)' : '';
    const docs = r.restoredDocuments !== undefined || r.totalDocuments !== undefined ? `, ${count(r.restoredDocuments)} of ${count(r.totalDocuments)} documents` : '';
    const why = r.errorMessage ? `: ${escapeText(r.errorMessage)}` : '';
    return `• \`${escapeText(r.sourceNamespace)}\`${where}: ${escapeText(r.state.replace(/_/g, ' '))}${docs}${why}`;
  });
}

/** How to undo a restore whose target had a safety snapshot taken. */
export function undoLine(req: RestoreRequest): string | undefined {
  const s = req.safetySnapshot;
  if (!s?.id || s.status !== 'completed') return undefined;
  return `:leftwards_arrow_with_hook: To undo: restore the safety snapshot \`${escapeText(s.id)}\` of ${clusterLabel(req.target)}: \`/atlas-restore ${clusterKey(req.target)} ${escapeText(s.id)}\`.`;
}
