import { describe, expect, it } from 'vitest';
import { createClusterTypeDetector } from '../../../src/atlas/detect-cluster-type.js';
import { AtlasApiError } from '../../../src/atlas/errors.js';
import type { ClusterType } from '../../../src/atlas/types.js';

// The probe is the detector's injected I/O: here a table of what "Atlas" answers per type.
type Answer = 'ok' | { status: number; errorCode: string };
function probeTable(answers: Record<ClusterType, Answer>) {
  const calls: ClusterType[] = [];
  const probe = async (type: ClusterType): Promise<void> => {
    calls.push(type);
    await new Promise((r) => setTimeout(r, 5));
    const answer = answers[type];
    if (answer !== 'ok') throw new AtlasApiError(answer);
  };
  return { calls, probe };
}
const NON_FLEX = { status: 400, errorCode: 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API' };
const SERVERLESS_IN_CLUSTER_API = { status: 400, errorCode: 'CANNOT_USE_SERVERLESS_INSTANCE_IN_CLUSTER_API' };
const NOT_FOUND = { status: 404, errorCode: 'SERVERLESS_INSTANCE_NOT_FOUND' };

describe('cluster type detection', () => {
  it('tries flex, then dedicated, then serverless, switching on the documented codes', async () => {
    const flex = probeTable({ flex: 'ok', dedicated: NOT_FOUND, serverless: NOT_FOUND });
    expect(await createClusterTypeDetector(flex.probe).detect('g', 'c')).toBe('flex');
    expect(flex.calls).toEqual(['flex']);

    const dedicated = probeTable({ flex: NON_FLEX, dedicated: 'ok', serverless: NOT_FOUND });
    expect(await createClusterTypeDetector(dedicated.probe).detect('g', 'c')).toBe('dedicated');
    expect(dedicated.calls).toEqual(['flex', 'dedicated']);

    const serverless = probeTable({ flex: { status: 404, errorCode: 'CLUSTER_NOT_FOUND' }, dedicated: SERVERLESS_IN_CLUSTER_API, serverless: 'ok' });
    expect(await createClusterTypeDetector(serverless.probe).detect('g', 'c')).toBe('serverless');
    expect(serverless.calls).toEqual(['flex', 'dedicated', 'serverless']);
  });

  it('remembers the answer per (groupId, clusterName) and shares one detection between concurrent callers', async () => {
    const t = probeTable({ flex: NON_FLEX, dedicated: 'ok', serverless: NOT_FOUND });
    const detector = createClusterTypeDetector(t.probe);
    const results = await Promise.all(Array.from({ length: 20 }, () => detector.detect('g', 'c')));
    expect(new Set(results)).toEqual(new Set(['dedicated']));
    expect(t.calls).toEqual(['flex', 'dedicated']);
    await detector.detect('g', 'c');
    expect(t.calls).toHaveLength(2);
    await detector.detect('g2', 'c'); // another project: its own detection
    expect(t.calls).toHaveLength(4);
    detector.forget('g', 'c');
    await detector.detect('g', 'c');
    expect(t.calls).toHaveLength(6);
  });

  it('reports a name that no API knows as ATLAS_CLUSTER_NOT_FOUND', async () => {
    const t = probeTable({ flex: NOT_FOUND, dedicated: NOT_FOUND, serverless: NOT_FOUND });
    await expect(createClusterTypeDetector(t.probe).detect('g', 'ghost')).rejects.toMatchObject({
      errorCode: 'ATLAS_CLUSTER_NOT_FOUND', status: 404, message: expect.stringContaining('"ghost"'),
    });
  });

  it('takes a refusal of the retired serverless API (410, or a 400 about it) as "not a serverless instance"', async () => {
    for (const retired of [{ status: 410, errorCode: 'GONE' }, { status: 400, errorCode: 'SERVERLESS_API_DEPRECATED' }]) {
      const t = probeTable({ flex: NOT_FOUND, dedicated: NOT_FOUND, serverless: retired });
      await expect(createClusterTypeDetector(t.probe).detect('g', 'ghost')).rejects.toMatchObject({ errorCode: 'ATLAS_CLUSTER_NOT_FOUND', status: 404 });
    }
    // Only there: a 400 from the Flex API is still Atlas's own answer.
    const flex400 = probeTable({ flex: { status: 400, errorCode: 'SOMETHING_ELSE' }, dedicated: NOT_FOUND, serverless: NOT_FOUND });
    await expect(createClusterTypeDetector(flex400.probe).detect('g', 'c')).rejects.toMatchObject({ errorCode: 'SOMETHING_ELSE' });
  });

  it('a serverless API that refuses the key (its role) after the others found no such name: not found, saying both', async () => {
    for (const refused of [{ status: 403, errorCode: 'USER_UNAUTHORIZED' }, { status: 401, errorCode: 'UNAUTHORIZED' }]) {
      const t = probeTable({ flex: NOT_FOUND, dedicated: NOT_FOUND, serverless: refused });
      await expect(createClusterTypeDetector(t.probe).detect('g', 'typo')).rejects.toMatchObject({
        errorCode: 'ATLAS_CLUSTER_NOT_FOUND',
        status: 404,
        message: expect.stringContaining(`the serverless API refused the key, ${refused.status} ${refused.errorCode}`),
      });
    }
  });

  it('stops on errors that are not about the type (auth, project, outage) and does not remember them', async () => {
    const auth = probeTable({ flex: { status: 401, errorCode: 'UNAUTHORIZED' }, dedicated: 'ok', serverless: 'ok' });
    const detector = createClusterTypeDetector(auth.probe);
    await expect(detector.detect('g', 'c')).rejects.toMatchObject({ status: 401 });
    expect(auth.calls).toEqual(['flex']);
    await expect(detector.detect('g', 'c')).rejects.toMatchObject({ status: 401 }); // tried again, not cached
    expect(auth.calls).toEqual(['flex', 'flex']);

    const project = probeTable({ flex: { status: 404, errorCode: 'GROUP_NOT_FOUND' }, dedicated: 'ok', serverless: 'ok' });
    await expect(createClusterTypeDetector(project.probe).detect('g', 'c')).rejects.toMatchObject({ errorCode: 'GROUP_NOT_FOUND' });
  });

  it('takes CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API from the clusters API as proof of flex', async () => {
    const t = probeTable({ flex: NOT_FOUND, dedicated: { status: 400, errorCode: 'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API' }, serverless: 'ok' });
    expect(await createClusterTypeDetector(t.probe).detect('g', 'c')).toBe('flex');
  });
});
