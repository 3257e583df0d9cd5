// Reads one `.snaphost` file of the Atlas CLI's recordings (test/fixtures/atlas-recordings/README.md): Go's
// httputil.DumpResponse of the answer. The request is not stored, so method and path come from the file name.
import { basename } from 'node:path';

export interface Snaphost {
  /** From the file name: `GET_api_atlas_v2_…_1` → GET. */
  method: string;
  /** From the file name, `_` read as `/` (no recorded name holds an underscore); the query string is not recorded. */
  path: string;
  /** The `_N` suffix: the N-th distinct answer to this method and path within one test step. */
  occurrence: number;
  status: number;
  statusText: string;
  /** Case-insensitive, like fetch's. */
  headers: Headers;
  body: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  json: unknown;
}

const NAME = /^(GET|POST|PATCH|PUT|DELETE)_+(.+)_(\d+)\.snaphost$/;
const STATUS_LINE = /^HTTP\/[\d.]+ (\d{3}) ?(.*)$/;

export function parseSnaphost(file: string, text: string): Snaphost {
  const name = NAME.exec(basename(file));
  if (!name) throw new Error(`SNAPHOST_BAD_NAME: ${file} is not METHOD_path_N.snaphost`);
  const split = /\r?\n\r?\n/.exec(text);
  const head = split ? text.slice(0, split.index) : text;
  const body = split ? text.slice(split.index + split[0].length) : '';
  const [statusLine = '', ...headerLines] = head.split(/\r?\n/);
  const status = STATUS_LINE.exec(statusLine);
  if (!status) throw new Error(`SNAPHOST_BAD_STATUS_LINE: ${file} starts with ${JSON.stringify(statusLine)}`);
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`SNAPHOST_BAD_HEADER: ${file}: ${JSON.stringify(line)}`);
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return {
    method: name[1]!,
    path: `/${name[2]!.replace(/_/g, '/')}`,
    occurrence: Number(name[3]),
    status: Number(status[1]),
    statusText: status[2] ?? '',
    headers,
    body,
    json: parseJson(body),
  };
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
