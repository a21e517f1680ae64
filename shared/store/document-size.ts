/**
 * The stored size of a Firestore document, by Firestore's published formula: the document name
 * (each path segment's UTF-8 bytes + 1, plus 16), plus every field name (UTF-8 bytes + 1) and value
 * (string: UTF-8 bytes + 1; number 8; boolean and null 1; map and array: the sum of their parts),
 * plus 32. Lets a write that would exceed the 1 MiB limit be refused before it is sent.
 */
export function documentSize(path: string, fields: unknown): number {
  const name = path.split('/').reduce((n, seg) => n + Buffer.byteLength(seg, 'utf8') + 1, 16);
  return name + valueSize(fields) + 32;
}

function valueSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'number' || typeof v === 'bigint') return 8;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8') + 1;
  if (Buffer.isBuffer(v)) return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + valueSize(x), 0);
  if (typeof v === 'object') {
    let n = 0;
    for (const [k, x] of Object.entries(v)) n += Buffer.byteLength(k, 'utf8') + 1 + valueSize(x);
    return n;
  }
  return 8;
}
