// The options of a cluster select. Slack takes at most 100 options in a static_select, but 100 groups of 100: a policy
// with more clusters than that gets them grouped by project (a project with more than 100 is split in parts), so
// that every cluster the requester may use can be chosen. Pure.
import type { PlainTextOption } from '@slack/types';
import type { ClusterRef } from '../../restore/types.js';
import { clusterKey } from '../../policy/policy.js';
import { clip } from './format.js';

/** Slack's limits: options of a select or of one group, and groups of a select. */
const MAX_OPTIONS = 100;
const MAX_GROUPS = 100;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

function clusterOption(ref: ClusterRef): PlainTextOption {
  const label = ref.type ? `${clusterKey(ref)} (${ref.type})` : clusterKey(ref);
  return { text: plain(clip(label, 75)), value: clusterKey(ref) };
}

export interface ClusterSelectOptions {
  /** Spread into the static_select: `options`, or `option_groups` past 100 clusters. */
  element: { options: PlainTextOption[] } | { option_groups: { label: { type: 'plain_text'; text: string; emoji: boolean }; options: PlainTextOption[] }[] };
  /** The option of `key`, for `initial_option`; undefined when it isn't offered. */
  optionOf(key: string | undefined): PlainTextOption | undefined;
}

export function clusterSelectOptions(refs: readonly ClusterRef[]): ClusterSelectOptions {
  const all = refs.map(clusterOption);
  const optionOf = (shown: readonly PlainTextOption[]) => (key: string | undefined) => (key === undefined ? undefined : shown.find((o) => o.value === key));
  if (all.length <= MAX_OPTIONS) return { element: { options: all }, optionOf: optionOf(all) };
  const byProject = new Map<string, PlainTextOption[]>();
  refs.forEach((ref, i) => byProject.set(ref.project, [...(byProject.get(ref.project) ?? []), all[i]!]));
  const groups = [...byProject].flatMap(([project, options]) => {
    const parts = Math.ceil(options.length / MAX_OPTIONS);
    return Array.from({ length: parts }, (_, p) => ({
      label: plain(clip(parts === 1 ? project : `${project} (${p + 1}/${parts})`, 75)),
      options: options.slice(p * MAX_OPTIONS, (p + 1) * MAX_OPTIONS),
    }));
  });
  const shownGroups = groups.slice(0, MAX_GROUPS);
  return { element: { option_groups: shownGroups }, optionOf: optionOf(shownGroups.flatMap((g) => g.options)) };
}
