// Restore jobs as Atlas really listed them, for FakeAtlas.addRecordedRestoreJobs: the first recorded page (100 jobs)
// of a real Flex cluster that had 2,160, in project b0123456789abcdef012345b, source `snapshotCluster0`.
import { loadAtlasRecordings } from '../helpers/atlas-recordings.js';

export const RECORDED_FLEX_GROUP = 'b0123456789abcdef012345b';
const RECORDED_PAGE = 'head TestFlexBackup/Restores_List/GET_flexClusters_snapshotCluster0_backup_restoreJobs_1';

/** The page's `results`, each a fresh copy; `change` replaces fields of the item at that index (e.g. its status). */
export function recordedFlexRestoreJobs(change?: { index: number; fields: Record<string, unknown> }): Record<string, unknown>[] {
  const recording = loadAtlasRecordings().find((r) => r.key === RECORDED_PAGE);
  if (!recording) throw new Error(`FAKE_ATLAS_NO_RECORDING: ${RECORDED_PAGE}`);
  const results = structuredClone((recording.json as { results: Record<string, unknown>[] }).results);
  return results.map((job, i) => (change && i === change.index ? { ...job, ...change.fields } : job));
}
