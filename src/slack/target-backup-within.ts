// Whether the target's cloud backup is on (a dedicated cluster's `backupEnabled`), within the form's time budget:
// without it Atlas takes no snapshot of it, on demand included, so a safety snapshot can be neither offered nor required.
import { withDeadline } from './with-deadline.js';
import type { ClusterRef } from '../restore/types.js';
import type { Services } from './services.js';

/** Undefined: not a dedicated cluster's answer, or none in time (the restore's job finds out). */
export function targetBackupWithin(services: Services, target: ClusterRef, budgetMs: number): Promise<boolean | undefined> {
  const described = services.atlas.describeCluster({ groupId: target.groupId, clusterName: target.cluster, type: target.type }).then(
    (d) => (d.type === 'dedicated' ? d.backupEnabled : undefined),
    () => undefined,
  );
  return withDeadline(described, budgetMs);
}
