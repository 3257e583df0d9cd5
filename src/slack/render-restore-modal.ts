// The restore modal for given inputs and a loaded (or loading) source: the opening, a source change and a choice all
// end here, so the target's safety snapshot facts and "now" are found the same way each time.
import { clusterKey, listClusters } from '../policy/policy.js';
import type { ModalView } from '@slack/types';
import type { Services } from './services.js';
import { clusterByKey, modalState, type ModalInputs } from './build-modal-state.js';
import { targetSafetyFacts, type SourceSection } from './load-modal-sources.js';
import { buildRestoreModal, sharedClusterNames } from './views/restore-modal.js';

/** After an ack, so not on Slack's 3 s; but a modal that takes longer than this to change feels broken. */
const TARGET_TYPE_BUDGET_MS = 2000;

export async function renderRestoreModal(services: Services, inputs: ModalInputs, source: SourceSection): Promise<ModalView> {
  const first = inputs.clusters[0];
  const sourceKey = inputs.sourceKey ?? (first ? clusterKey(first) : undefined);
  const sourceRef = clusterByKey(inputs.clusters, sourceKey);
  const targetRef = clusterByKey(inputs.clusters, inputs.targetKey ?? sourceKey);
  const safety = await targetSafetyFacts(services, targetRef, { ref: sourceRef, facts: source.facts }, TARGET_TYPE_BUDGET_MS);
  // Shared across the whole policy, not only the clusters this user may use: the name alone is ambiguous either way.
  const shared = sharedClusterNames(listClusters(services.policy));
  return buildRestoreModal(modalState(inputs, { ...source, safety, nowSeconds: Math.floor(services.now().getTime() / 1000), sharedClusterNames: shared }));
}
