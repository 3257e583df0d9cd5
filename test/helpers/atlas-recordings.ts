// Every vendored Atlas recording (test/fixtures/atlas-recordings/), found by walking the folder, so a file added
// there is picked up by the tests that replay them without anyone listing it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSnaphost, type Snaphost } from './parse-snaphost.js';

export const RECORDINGS_DIR = fileURLToPath(new URL('../fixtures/atlas-recordings/', import.meta.url));

export interface Recording extends Snaphost {
  /** Path below test/fixtures/atlas-recordings/, e.g. `mongodb-atlas-cli/head/test/e2e/…/GET_…_1.snaphost`. */
  file: string;
  /**
   * Short and unique: `head` or the first 7 hex of the history commit, then the path below `.snapshots/` with the
   * `api_atlas_v2_groups_<id>_` part of the name dropped, e.g. `head TestRestores/Restores_Watch/GET_clusters_…_1`.
   */
  key: string;
}

export function loadAtlasRecordings(): Recording[] {
  const files = (readdirSync(RECORDINGS_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.snaphost')).sort();
  return files.map((f) => {
    const file = relative(RECORDINGS_DIR, join(RECORDINGS_DIR, f)).split('\\').join('/');
    return { ...parseSnaphost(file, readFileSync(join(RECORDINGS_DIR, f), 'utf8')), file, key: keyOf(file) };
  });
}

function keyOf(file: string): string {
  const origin = /\/history\/([0-9a-f]{7})[0-9a-f]*\//.exec(file)?.[1] ?? 'head';
  const below = file.slice(file.indexOf('.snapshots/') + '.snapshots/'.length);
  return `${origin} ${below.replace(/_+api_atlas_v2_groups_[0-9a-f]{24}_/, '_').replace(/\.snaphost$/, '')}`;
}
