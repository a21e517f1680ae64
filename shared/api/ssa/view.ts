/**
 * The part of an object that field managers own: everything a client writes, less identity and
 * server-kept metadata and `status` (set by skyfed's controllers). A Secret's data is write-only and
 * sealed: its keys are owned (from the key-list annotation), never its values, so no value reaches
 * `managedFields`.
 */
import { DATA_KEYS_ANNOTATION } from '../../model/secret';
import { Obj, isObj } from './schema';

const SERVER_META = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];

export function ownershipView(obj: unknown): Obj {
  const view = (isObj(obj) ? structuredClone(obj) : {}) as Obj;
  const isSecret = view['kind'] === 'Secret';
  delete view['apiVersion'];
  delete view['kind'];
  delete view['status'];
  const meta = isObj(view['metadata']) ? view['metadata'] : {};
  for (const k of SERVER_META) delete meta[k];
  if (isSecret) {
    const data: Obj = {};
    for (const k of Object.keys(isObj(view['data']) ? view['data'] : {})) data[k] = '';
    for (const k of Object.keys(isObj(view['stringData']) ? view['stringData'] : {})) data[k] = '';
    const keys = isObj(meta['annotations']) ? meta['annotations'][DATA_KEYS_ANNOTATION] : undefined;
    if (typeof keys === 'string' && keys !== '') for (const entry of keys.split(',')) data[entry.replace(/:\d+$/, '')] = entry.replace(/^.*:/, '');
    delete view['stringData'];
    if (Object.keys(data).length > 0) view['data'] = data;
    else delete view['data'];
  }
  if (isObj(meta['annotations'])) {
    delete meta['annotations'][DATA_KEYS_ANNOTATION];
    if (Object.keys(meta['annotations']).length === 0) delete meta['annotations'];
  }
  if (Object.keys(meta).length === 0) delete view['metadata'];
  else view['metadata'] = meta;
  return view;
}
