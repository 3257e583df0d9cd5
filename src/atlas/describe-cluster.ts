// One cluster's description, whatever its type: is it idle, does it have continuous cloud backup (point in time)?
// Dedicated: ClusterDescription20240805; Flex: FlexClusterDescription20241113; serverless: ServerlessInstanceDescription (v2).
import { z } from 'zod';
import { dedicatedClusterPath, type AtlasCallContext } from './call-context.js';
import { parseAtlasBody } from './normalize-responses.js';
import type { ClusterLocation, ClusterType } from './types.js';

/** Per type: the path of the cluster itself and the version whose schema we read (the newest without a sunset date). */
export const DESCRIBE_ENDPOINTS: Record<ClusterType, { mediaType: string; path: (groupId: string, name: string) => string }> = {
  dedicated: { mediaType: 'application/vnd.atlas.2024-08-05+json', path: dedicatedClusterPath },
  flex: {
    mediaType: 'application/vnd.atlas.2024-11-13+json',
    path: (g, name) => `/api/atlas/v2/groups/${encodeURIComponent(g)}/flexClusters/${encodeURIComponent(name)}`,
  },
  // Only version 2023-01-01 exists (sunset 2027-01-18); Atlas retired serverless instances on 2026-01-22.
  serverless: {
    mediaType: 'application/vnd.atlas.2023-01-01+json',
    path: (g, name) => `/api/atlas/v2/groups/${encodeURIComponent(g)}/serverless/${encodeURIComponent(name)}`,
  },
};

export interface ClusterDescription {
  type: ClusterType;
  name: string;
  id?: string | undefined;
  /** IDLE | CREATING | UPDATING | DELETING | REPAIRING. */
  stateName?: string | undefined;
  /** Continuous cloud backup, i.e. point-in-time restores: a dedicated cluster's `pitEnabled`; never for Flex or serverless. */
  pitEnabled: boolean;
  /** Dedicated `backupEnabled`, Flex `backupSettings.enabled`. */
  backupEnabled?: boolean | undefined;
  paused?: boolean | undefined;
  mongoDBVersion?: string | undefined;
  /** REPLICASET | SHARDED | GEOSHARDED. */
  clusterType?: string | undefined;
  raw: unknown;
}

const Common = {
  name: z.string(),
  id: z.string().optional(),
  stateName: z.string().optional(),
  mongoDBVersion: z.string().optional(),
  clusterType: z.string().optional(),
};
const DedicatedSchema = z.looseObject({ ...Common, pitEnabled: z.boolean().optional(), backupEnabled: z.boolean().optional(), paused: z.boolean().optional() });
const FlexSchema = z.looseObject({ ...Common, backupSettings: z.looseObject({ enabled: z.boolean().optional() }).optional() });
const ServerlessSchema = z.looseObject(Common);

export function toClusterDescription(type: ClusterType, raw: unknown, request: string): ClusterDescription {
  if (type === 'dedicated') {
    const c = parseAtlasBody(DedicatedSchema, raw, request, 'cluster description');
    return {
      type,
      name: c.name,
      id: c.id,
      stateName: c.stateName,
      pitEnabled: c.pitEnabled ?? false,
      backupEnabled: c.backupEnabled,
      paused: c.paused,
      mongoDBVersion: c.mongoDBVersion,
      clusterType: c.clusterType,
      raw,
    };
  }
  if (type === 'flex') {
    const c = parseAtlasBody(FlexSchema, raw, request, 'Flex cluster description');
    return { type, name: c.name, id: c.id, stateName: c.stateName, pitEnabled: false, backupEnabled: c.backupSettings?.enabled, mongoDBVersion: c.mongoDBVersion, clusterType: c.clusterType, raw };
  }
  const c = parseAtlasBody(ServerlessSchema, raw, request, 'serverless instance description');
  return { type, name: c.name, id: c.id, stateName: c.stateName, pitEnabled: false, mongoDBVersion: c.mongoDBVersion, raw };
}

export interface DescribeClusterCalls {
  /** GET the cluster itself, at the endpoint of its type (detected once when the policy leaves it out). */
  describeCluster(cluster: ClusterLocation): Promise<ClusterDescription>;
}

export function createDescribeClusterCalls(ctx: AtlasCallContext): DescribeClusterCalls {
  return {
    describeCluster: (cluster) =>
      ctx.withEndpoint(cluster, async (endpoint) => {
        const { mediaType, path: pathOf } = DESCRIBE_ENDPOINTS[endpoint.type];
        const path = pathOf(cluster.groupId, cluster.clusterName);
        const response = await ctx.send({ method: 'GET', path, mediaType });
        return toClusterDescription(endpoint.type, response.body, `GET ${path}`);
      }),
  };
}
