// How the end of a collection restore is judged (collection-progress.ts): a job Atlas calls SUCCESSFUL ends the
// request failed when a namespace was not restored in full, or when the job's own index status counts collections whose
// indexes failed to build (also when the per-namespace list couldn't be read).
import { describe, expect, it } from 'vitest';
import type { RestoreJob } from '../../../src/atlas/types.js';
import { failedIndexCollections, judgedJob, partialRestoreReason, progressStep, unrestoredNamespaces } from '../../../src/restore/collection-progress.js';
import type { NamespaceResult } from '../../../src/restore/types.js';

const job = (state: RestoreJob['state'], failedCollectionCount?: number): RestoreJob => ({
  id: 'job-1',
  state,
  raw: { id: 'job-1', state: 'SUCCESSFUL', ...(failedCollectionCount === undefined ? {} : { indexStatus: { failedCollectionCount } }) },
});
const ns = (sourceNamespace: string, state: string, errorMessage?: string): NamespaceResult => ({ sourceNamespace, state, errorMessage });

describe('a SUCCESSFUL collection restore job', () => {
  it('with every namespace restored stays completed', () => {
    const results = [ns('sales.orders', 'restored'), ns('crm.users', 'restored')];
    expect(partialRestoreReason(job('completed', 0), results)).toBeUndefined();
    expect(judgedJob(job('completed', 0), results).state).toBe('completed');
  });

  it('with namespaces not found, failed or without their indexes ends failed, naming each with what Atlas said', () => {
    const results = [ns('sales.orders', 'restored'), ns('sales.gone', 'not_found'), ns('crm.users', 'failed', 'disk full'), ns('crm.leads', 'indexes_failed', 'duplicate key')];
    const judged = judgedJob(job('completed', 1), results);
    expect(judged.state).toBe('failed');
    expect(judged.failureReason).toBe(
      'Atlas calls the job SUCCESSFUL, but 3 of 4 namespaces were not restored in full: `sales.gone` (not found); `crm.users` (failed: disk full); `crm.leads` (indexes failed: duplicate key).',
    );
    expect(unrestoredNamespaces(results).map((r) => r.sourceNamespace)).toEqual(['sales.gone', 'crm.users', 'crm.leads']);
  });

  it("uses the job's indexStatus.failedCollectionCount beyond what the list shows, and when the list couldn't be read", () => {
    expect(failedIndexCollections(job('completed', 2))).toBe(2);
    expect(partialRestoreReason(job('completed', 2), [ns('a.b', 'restored')])).toBe('Atlas calls the job SUCCESSFUL, but the indexes of 2 collections failed to build.');
    expect(partialRestoreReason(job('completed', 1), undefined)).toBe('Atlas calls the job SUCCESSFUL, but the indexes of 1 collection failed to build (which ones could not be read).');
    expect(partialRestoreReason(job('completed'), undefined)).toBeUndefined();
  });

  it('a collection Atlas calls UNSUPPORTED fails the restore only where the request named it, not as one of a database', () => {
    const results = [ns('sales.orders', 'restored'), ns('sales.daily_view', 'unsupported')];
    // `only sales`: the database's collections were restored; the one kind Atlas leaves out is listed, not a failure.
    expect(judgedJob(job('completed', 0), results, ['sales']).state).toBe('completed');
    // `only sales.daily_view`: what was asked for was not restored.
    const named = judgedJob(job('completed', 0), results, ['sales.orders', 'sales.daily_view']);
    expect(named.state).toBe('failed');
    expect(named.failureReason).toBe("Atlas calls the job SUCCESSFUL, but 1 of 2 namespaces was not restored: `sales.daily_view` (unsupported by Atlas's collection restore).");
    expect(unrestoredNamespaces(results, ['sales'])).toEqual([]);
  });

  it('says a namespace was not restored, not "in full", when none of them is only missing its indexes', () => {
    const results = [ns('sales.orders', 'restored'), ns('crm.users', 'not_found'), ns('crm.leads', 'restored')];
    expect(partialRestoreReason(job('completed', 0), results)).toBe('Atlas calls the job SUCCESSFUL, but 1 of 3 namespaces was not restored: `crm.users` (not found).');
  });

  it('says when none of the namespaces was restored', () => {
    expect(partialRestoreReason(job('completed', 0), [ns('a.b', 'not_found'), ns('a.c', 'failed')])).toBe('Atlas calls the job SUCCESSFUL, but none of its 2 namespaces was restored: `a.b` (not found); `a.c` (failed).');
  });

  it("counts a database's collection Atlas skips by kind apart from the ones that failed", () => {
    // `only crm`: crm.users failed, crm.ts is a time series collection Atlas's collection restore leaves out.
    const results = [ns('crm.users', 'failed'), ns('crm.ts', 'unsupported')];
    expect(partialRestoreReason(job('completed', 0), results, ['crm'])).toBe(
      "Atlas calls the job SUCCESSFUL, but its one namespace was not restored: `crm.users` (failed); and `crm.ts` was left out, a kind of collection Atlas's collection restore doesn't support.",
    );
  });

  it('a state Atlas reports that we cannot read is not judged; a job that did not succeed is left as Atlas says', () => {
    expect(partialRestoreReason(job('completed'), [ns('a.b', 'unknown')])).toBeUndefined();
    expect(judgedJob(job('failed'), [ns('a.b', 'failed')]).failureReason).toBeUndefined();
  });
});

describe('progressStep', () => {
  it('is the last 25 % step reached, 0 to 3', () => {
    expect([progressStep(0, 100), progressStep(24, 100), progressStep(25, 100), progressStep(99, 100), progressStep(100, 100), progressStep(5, undefined)]).toEqual([0, 0, 1, 3, 3, 0]);
  });
});
