/** Kubernetes' time formats. */

/** metav1.Time: RFC 3339 in UTC, whole seconds (`2026-12-01T12:00:00Z`). */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** metav1.MicroTime: always six fractional digits (Go refuses fewer). */
export const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
