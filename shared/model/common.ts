/** Metadata validation shared by every kind (names, labels, annotations, finalizers). */
import { FieldErrors, dns1123Label, labelValue, qualifiedName } from '../k8s/validation';
import { ObjectMeta } from './meta';

const MAX_ANNOTATIONS_BYTES = 256 * 1024;

export function validateMeta(meta: ObjectMeta, errs: FieldErrors, nameRule: (v: string) => string[], namespaced: boolean): void {
  if (!meta.name) errs.required('metadata.name');
  else errs.check('metadata.name', meta.name, nameRule(meta.name));
  if (namespaced && meta.namespace !== undefined) errs.check('metadata.namespace', meta.namespace, dns1123Label(meta.namespace));
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    errs.check(`metadata.labels`, k, qualifiedName(k));
    errs.check(`metadata.labels`, v, labelValue(v));
  }
  let size = 0;
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    errs.check(`metadata.annotations`, k, qualifiedName(k.toLowerCase()));
    size += k.length + v.length;
  }
  if (size > MAX_ANNOTATIONS_BYTES) {
    errs.check('metadata.annotations', '(total)', [`must have at most ${MAX_ANNOTATIONS_BYTES} bytes`]);
  }
  for (const f of meta.finalizers ?? []) errs.check('metadata.finalizers', f, qualifiedName(f));
}

/** Keys of Secret data and config maps: `[-._a-zA-Z0-9]+`, ≤ 253. */
export function configKey(v: string): string[] {
  if (v.length > 253) return ['must be no more than 253 characters'];
  if (!/^[-._a-zA-Z0-9]+$/.test(v))
    return [
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ];
  if (v === '.' || v === '..' || v.startsWith('..')) return ["must not be '.' or '..' or start with '..'"];
  return [];
}
