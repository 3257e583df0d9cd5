import { createHash } from 'node:crypto';
import DigestClient from 'digest-fetch';
import { describe, expect, it } from 'vitest';
import { DigestSession, computeDigestHeader, digestClientFor } from '../../../src/atlas/digest-session.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const field = (header: string, name: string): string | undefined =>
  new RegExp(`${name}=("([^"]*)"|[^,]*)`).exec(header)?.[2] ?? new RegExp(`${name}=([^,]*)`).exec(header)?.[1];

const ATLAS_CHALLENGE = 'Digest realm="MMS Public API", domain="", nonce="n0nce-A", algorithm=MD5, qop="auth", stale=false';

/** Recomputes the RFC 7616 MD5/qop=auth response from the header's own fields. */
function expectedResponse(header: string, user: string, password: string, method: string): string {
  const ha1 = md5(`${user}:${field(header, 'realm')}:${password}`);
  const ha2 = md5(`${method}:${field(header, 'uri')}`);
  return md5(`${ha1}:${field(header, 'nonce')}:${field(header, 'nc')}:${field(header, 'cnonce')}:auth:${ha2}`);
}

describe('Digest header computation', () => {
  it('reproduces the RFC 7616 §3.9.1 MD5 example', () => {
    const client = digestClientFor(
      'Mufasa',
      'Circle of Life',
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, ' +
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    const header = computeDigestHeader(client, 'GET', 'http://www.example.org/dir/index.html', 1, 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ');
    expect(field(header, 'response')).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(field(header, 'nc')).toBe('00000001');
    expect(field(header, 'uri')).toBe('/dir/index.html');
    expect(field(header, 'opaque')).toBe('FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS');
  });

  it('keeps the spaces of the Atlas realm and signs path plus query', () => {
    const session = new DigestSession('pubkey', 'privkey-secret');
    expect(session.acceptChallenge(ATLAS_CHALLENGE)).toBe(true);
    const auth = session.authorize('GET', '/api/atlas/v2/groups/g/clusters/c/backup/snapshots?pageNum=2&itemsPerPage=500');
    expect(auth).toBeDefined();
    expect(field(auth!.header, 'realm')).toBe('MMS Public API');
    expect(field(auth!.header, 'uri')).toBe('/api/atlas/v2/groups/g/clusters/c/backup/snapshots?pageNum=2&itemsPerPage=500');
    expect(field(auth!.header, 'response')).toBe(expectedResponse(auth!.header, 'pubkey', 'privkey-secret', 'GET'));
  });

  it('refuses headers that are not Digest challenges', () => {
    const session = new DigestSession('u', 'p');
    expect(session.acceptChallenge(null)).toBe(false);
    expect(session.acceptChallenge('Bearer realm="x"')).toBe(false);
    expect(session.acceptChallenge('Digest realm="x"')).toBe(false); // no nonce
    expect(session.hasChallenge()).toBe(false);
    expect(session.authorize('GET', '/x')).toBeUndefined();
  });
});

describe('nc allocation', () => {
  it('gives 200 concurrent requests distinct, consecutive nc values whose hashes match them', async () => {
    const session = new DigestSession('pubkey', 'privkey-secret');
    session.acceptChallenge(ATLAS_CHALLENGE);
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i % 7)); // interleave the callers
        const method = i % 2 ? 'GET' : 'POST';
        const auth = session.authorize(method, `/api/x/${i}`)!;
        return { auth, method };
      }),
    );
    const ncs = results.map(({ auth }) => auth.nc).sort((a, b) => a - b);
    expect(ncs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (const { auth, method } of results) {
      expect(field(auth.header, 'nc')).toBe(auth.nc.toString(16).padStart(8, '0'));
      expect(field(auth.header, 'response')).toBe(expectedResponse(auth.header, 'pubkey', 'privkey-secret', method));
    }
  });

  it('writes nc as 8 hex digits (RFC 7616), not decimal', () => {
    const client = digestClientFor('u', 'p', ATLAS_CHALLENGE);
    expect(field(computeDigestHeader(client, 'GET', '/x', 10, 'c'), 'nc')).toBe('0000000a');
    expect(field(computeDigestHeader(client, 'GET', '/x', 255, 'c'), 'nc')).toBe('000000ff');
  });

  it('restarts at 1 for a new nonce and continues a nonce seen before', () => {
    const session = new DigestSession('u', 'p');
    session.acceptChallenge(ATLAS_CHALLENGE);
    expect(session.authorize('GET', '/a')!.nc).toBe(1);
    expect(session.authorize('GET', '/a')!.nc).toBe(2);
    session.acceptChallenge(ATLAS_CHALLENGE.replace('n0nce-A', 'n0nce-B'));
    const b = session.authorize('GET', '/a')!;
    expect([b.nonce, b.nc]).toEqual(['n0nce-B', 1]);
    session.acceptChallenge(ATLAS_CHALLENGE); // A handed out again: must not replay nc 1 or 2
    expect(session.authorize('GET', '/a')!).toMatchObject({ nonce: 'n0nce-A', nc: 3 });
  });

  it('shows the digest-fetch bug we work around: its nc is not reset for a new nonce', () => {
    const client = new DigestClient('u', 'p');
    client.parseAuth(ATLAS_CHALLENGE);
    client.parseAuth(ATLAS_CHALLENGE.replace('n0nce-A', 'n0nce-B'));
    expect(client.digest.nc).toBe(2); // would sign the first request on nonce B with nc=00000002
  });
});

describe('header objects', () => {
  it('digest-fetch writes Authorization into the options it is given; we only hand it throwaway objects', () => {
    const client = digestClientFor('u', 'p', ATLAS_CHALLENGE);
    const callerHeaders: Record<string, string> = { Accept: 'application/json' };
    client.addAuth('http://h/x', { method: 'GET', headers: callerHeaders });
    expect(callerHeaders.Authorization).toBeDefined(); // the library's behaviour

    const session = new DigestSession('u', 'p');
    session.acceptChallenge(ATLAS_CHALLENGE);
    const first = session.authorize('GET', '/x')!;
    const second = session.authorize('GET', '/x')!;
    expect(first.header).not.toBe(second.header); // fresh nc and cnonce each time
    expect(field(first.header, 'cnonce')).not.toBe(field(second.header, 'cnonce'));
  });
});
