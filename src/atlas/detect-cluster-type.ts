// Finds out whether a name is a Flex cluster, a dedicated cluster or a serverless instance, by probing the
// backup APIs in that order (Flex first: it is what most users have since serverless was retired).
import { AtlasApiError } from './errors.js';
import type { ClusterType } from './types.js';

/** Probe one type; resolves when the API accepted the name as that type. */
export type ProbeClusterType = (type: ClusterType, groupId: string, clusterName: string) => Promise<void>;

const PROBE_ORDER: readonly ClusterType[] = ['flex', 'dedicated', 'serverless'];

/** Codes that mean "wrong API for this name", i.e. try the next type. */
const NOT_THIS_TYPE: Record<ClusterType, ReadonlySet<string>> = {
  flex: new Set(['CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API']),
  dedicated: new Set(['CANNOT_USE_SERVERLESS_INSTANCE_IN_CLUSTER_API']),
  serverless: new Set(['CANNOT_USE_CLUSTER_IN_SERVERLESS_INSTANCE_API']),
};

/** 404s about the project (not the cluster) end the search: no other type will find it either. */
const PROJECT_NOT_FOUND = new Set(['GROUP_NOT_FOUND', 'INVALID_GROUP_ID', 'RESOURCE_NOT_FOUND_GROUP']);

export interface ClusterTypeDetector {
  detect(groupId: string, clusterName: string): Promise<ClusterType>;
  /** Drop a remembered answer (e.g. the cluster was migrated to another type). */
  forget(groupId: string, clusterName: string): void;
}

export function createClusterTypeDetector(probe: ProbeClusterType): ClusterTypeDetector {
  const known = new Map<string, ClusterType>();
  const inFlight = new Map<string, Promise<ClusterType>>();
  const keyOf = (groupId: string, clusterName: string): string => `${groupId}\u0000${clusterName}`;

  async function probeAll(groupId: string, clusterName: string): Promise<ClusterType> {
    let serverlessRefused: AtlasApiError | undefined;
    for (const type of PROBE_ORDER) {
      try {
        await probe(type, groupId, clusterName);
        return type;
      } catch (error) {
        if (!(error instanceof AtlasApiError)) throw error;
        // The clusters API tells a Flex name apart explicitly even if the Flex probe said not found.
        if (type === 'dedicated' && error.errorCode === 'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API') return 'flex';
        const notFound = error.status === 404 && !PROJECT_NOT_FOUND.has(error.errorCode);
        // Atlas sunsets the serverless API: whatever its refusal (410 Gone, a 400 about the retired API), the name
        // is no serverless instance. The project was already found by the probes before it.
        const retired = type === 'serverless' && (error.status === 400 || error.status === 410);
        // The same key was let in by the Flex and clusters APIs just before: a 401/403 of the serverless one is about
        // its role (that API wants Project Owner), not the name. The name is most likely wrong; say both, not "give it
        // Project Owner" for a typo.
        if (type === 'serverless' && (error.status === 401 || error.status === 403)) {
          serverlessRefused = error;
          continue;
        }
        if (!NOT_THIS_TYPE[type].has(error.errorCode) && !notFound && !retired) throw error;
      }
    }
    const serverless = serverlessRefused
      ? ` (the serverless API refused the key, ${serverlessRefused.status} ${serverlessRefused.errorCode}, so a serverless instance could not be ruled out: Atlas retired them on 2026-01-22)`
      : '';
    throw new AtlasApiError({
      status: 404,
      errorCode: 'ATLAS_CLUSTER_NOT_FOUND',
      detail: `no Flex cluster, dedicated cluster or serverless instance named "${clusterName}" in project ${groupId}${serverless}`,
    });
  }

  return {
    async detect(groupId, clusterName) {
      const key = keyOf(groupId, clusterName);
      const remembered = known.get(key);
      if (remembered) return remembered;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = probeAll(groupId, clusterName)
          .then((type) => {
            known.set(key, type);
            return type;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
    forget(groupId, clusterName) {
      known.delete(keyOf(groupId, clusterName));
    },
  };
}
