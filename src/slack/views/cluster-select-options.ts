// The options of a cluster select. Slack takes at most 100 options in a static_select, but 100 groups of 100: a policy
// with more clusters than that gets them grouped by project (a project with more than 100 is split in parts), and
// with more than 100 projects, small projects share a group, so that every cluster the requester may use can be
// chosen (up to several thousand). Pure.
import type { PlainTextOption } from '@slack/types';
import type { ClusterRef } from '../../restore/types.js';
import { clusterKey } from '../../policy/policy.js';
import { clip } from './format.js';

/** Slack's limits: options of a select or of one group, groups of a select, and the text of an option or a label. */
const MAX_OPTIONS = 100;
const MAX_GROUPS = 100;
const MAX_TEXT = 75;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/**
 * `project/cluster (type)`. Past Slack's 75 characters the cluster's own name is kept whole (names are at most 64):
 * it is what tells two options apart. The project gives way in the text and is shown whole below it.
 */
function clusterOption(ref: ClusterRef): PlainTextOption {
  const key = clusterKey(ref);
  const type = ref.type ? ` (${ref.type})` : '';
  if (key.length + type.length <= MAX_TEXT) return { text: plain(`${key}${type}`), value: key };
  const short = `…/${ref.cluster}`;
  const text = short.length + type.length <= MAX_TEXT ? `${short}${type}` : clip(short, MAX_TEXT);
  return { text: plain(text), value: key, description: plain(clip(`${ref.project}${type}`, MAX_TEXT)) };
}

type Group = { label: { type: 'plain_text'; text: string; emoji: boolean }; options: PlainTextOption[] };

export interface ClusterSelectOptions {
  /** Spread into the static_select: `options`, or `option_groups` past 100 clusters. */
  element: { options: PlainTextOption[] } | { option_groups: Group[] };
  /** The option of `key`, for `initial_option`; undefined when it isn't offered. */
  optionOf(key: string | undefined): PlainTextOption | undefined;
}

/** One project's clusters, or one part of them when it has more than 100. */
interface Piece {
  label: string;
  project: string;
  options: PlainTextOption[];
}

/** The label of a group holding several projects: their names, or the first and last when they don't fit. */
function sharedLabel(projects: readonly string[]): string {
  const all = projects.join(', ');
  if (all.length <= MAX_TEXT) return all;
  const suffix = ` (${projects.length} projects)`;
  const room = Math.floor((MAX_TEXT - suffix.length - 3) / 2);
  return `${clip(projects[0]!, room)} … ${clip(projects.at(-1)!, room)}${suffix}`;
}

/** Small pieces packed together, in order, each group at most 100 options; a piece is never split. */
function packed(pieces: readonly Piece[]): Group[] {
  const groups: Piece[][] = [];
  for (const piece of pieces) {
    const last = groups.at(-1);
    const size = last?.reduce((n, p) => n + p.options.length, 0) ?? MAX_OPTIONS;
    if (last && size + piece.options.length <= MAX_OPTIONS) last.push(piece);
    else groups.push([piece]);
  }
  return groups.map((ps) => ({
    label: plain(ps.length === 1 ? ps[0]!.label : sharedLabel(ps.map((p) => p.project))),
    options: ps.flatMap((p) => p.options),
  }));
}

export function clusterSelectOptions(refs: readonly ClusterRef[]): ClusterSelectOptions {
  const all = refs.map(clusterOption);
  const optionOf = (shown: readonly PlainTextOption[]) => (key: string | undefined) => (key === undefined ? undefined : shown.find((o) => o.value === key));
  if (all.length <= MAX_OPTIONS) return { element: { options: all }, optionOf: optionOf(all) };
  const byProject = new Map<string, PlainTextOption[]>();
  refs.forEach((ref, i) => byProject.set(ref.project, [...(byProject.get(ref.project) ?? []), all[i]!]));
  const pieces = [...byProject].flatMap(([project, options]) => {
    const parts = Math.ceil(options.length / MAX_OPTIONS);
    return Array.from({ length: parts }, (_, p) => ({
      project,
      label: clip(parts === 1 ? project : `${project} (${p + 1}/${parts})`, MAX_TEXT),
      options: options.slice(p * MAX_OPTIONS, (p + 1) * MAX_OPTIONS),
    }));
  });
  const groups = pieces.length <= MAX_GROUPS ? pieces.map((p) => ({ label: plain(p.label), options: p.options })) : packed(pieces);
  // Past 100 packed groups (thousands of clusters) a static select can't hold them all: those are left out.
  const shownGroups = groups.slice(0, MAX_GROUPS);
  return { element: { option_groups: shownGroups }, optionOf: optionOf(shownGroups.flatMap((g) => g.options)) };
}
