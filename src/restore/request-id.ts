// Request ids people read, type and say aloud: 'RR-' + 6 Crockford base32 chars (no I, L, O, U).
import { randomInt } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID_PATTERN = /^RR-[0-9A-HJKMNP-TV-Z]{6}$/;

/** A fresh id. 30 random bits: collisions are rare and `create` refuses them (STORE_DUPLICATE). */
export function newRequestId(): string {
  let body = '';
  for (let i = 0; i < 6; i += 1) body += CROCKFORD[randomInt(CROCKFORD.length)];
  return `RR-${body}`;
}

export function isRequestId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/**
 * Reads an id as a person typed it: any case, optional 'RR-' prefix, and Crockford's
 * look-alikes (O→0, I/L→1). Returns the canonical form, or null when it cannot be an id.
 */
export function normalizeRequestId(input: string): string | null {
  let body = input.trim().toUpperCase();
  if (body.startsWith('RR-')) body = body.slice(3);
  else if (body.startsWith('RR')) body = body.slice(2);
  body = body.replace(/O/g, '0').replace(/[IL]/g, '1');
  const id = `RR-${body}`;
  return isRequestId(id) ? id : null;
}
