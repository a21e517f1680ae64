/**
 * Generic Kubernetes verbs over any resource type: get, list, create, update (PUT), patch
 * (merge / strategic / apply) and delete with finalizers and propagationPolicy. Every write is one
 * store transaction; a failed check throws an ApiError before anything is written.
 */
import { randomUUID } from 'node:crypto';
import { ResourceRef, errors, successStatus } from '../k8s/status';
import { KubeObject, SKYFED } from '../model/meta';
import { FieldValidation, decodeStructured } from '../model/decode';
import { deleteOptionsSchema } from '../model/schema';
import { ObjectKey } from '../store/layout';
import { ObjectStore, StoredRecord } from '../store/port';
import { BodyFormat } from './body';
import { ListPage, ListQuery, listObjects, selected } from './list';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch';
import { FieldSet } from './ssa/fieldset';
import { Operation } from './ssa/managers';
import { applyConfiguration, recordManagers } from './ssa/apply';
import { ResourceType, apiVersionOf } from './resources';
import { Strategy } from './strategies';
import { rfc3339 } from '../util/time';

export interface WriteOptions {
  readonly fieldValidation: FieldValidation;
  readonly dryRun: boolean;
  readonly fieldManager?: string;
  readonly force?: boolean;
  /** Names the field manager of a non-apply write that gives none (Kubernetes: the User-Agent's program). */
  readonly userAgent?: string;
}

/** How a write is recorded in managedFields. */
interface Ownership {
  readonly operation: Operation;
  readonly applied?: FieldSet;
}

/** kube-apiserver's default manager: the User-Agent up to its first '/' ("kubectl/v1.30.2 (…)" → "kubectl"). */
function managerOf(o: WriteOptions): string {
  return o.fieldManager ?? (o.userAgent?.split('/')[0]?.trim() || 'unknown');
}

/** Equal but for managedFields times: a no-op write is not stored again. */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): string =>
    JSON.stringify({
      ...o,
      metadata: {
        ...o.metadata,
        resourceVersion: '',
        managedFields: (o.metadata.managedFields ?? []).map((m) => JSON.stringify({ ...(m as object), time: '' })).sort(),
      },
    });
  return strip(a) === strip(b);
}

export interface WriteResult<T> {
  readonly code: number;
  readonly object: T;
  readonly warnings: readonly string[];
}

const CONFLICT_MSG = 'the object has been modified; please apply your changes to the latest version and try again';

export class Handlers {
  constructor(
    private readonly store: ObjectStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private ref(type: ResourceType, name: string): ResourceRef {
    return { resource: type.resource, group: type.group, kind: type.kind, name };
  }

  async present(s: Strategy, rec: StoredRecord): Promise<KubeObject> {
    return s.present ? s.present(rec) : rec.object;
  }

  async get(s: Strategy, key: ObjectKey): Promise<KubeObject> {
    const rec = await this.store.get(s.type.resource, key);
    if (!rec || (s.visible && !s.visible(rec.object, this.clock()))) throw errors.notFound(this.ref(s.type, key.name));
    return this.present(s, rec);
  }

  async list(s: Strategy, q: ListQuery): Promise<ListPage> {
    return listObjects(this.store, s, q, this.clock().getTime());
  }

  async deletedSince(s: Strategy, rv: number, q: Pick<ListQuery, 'namespace' | 'labels' | 'fields'>): Promise<KubeObject[]> {
    const gone = await this.store.deletedSince<KubeObject>(s.type.resource, rv);
    return gone.filter((o) => selected(q, o, s));
  }

  /** Checks apiVersion/kind/name/namespace of a body against the request path. */
  private decode(
    s: Strategy,
    body: unknown,
    mode: FieldValidation,
    path: { namespace?: string; name?: string },
  ): { obj: KubeObject; warnings: readonly string[] } {
    const t = s.type;
    const what = `${t.kind} in version "${t.version}"`;
    const { object, warnings } = decodeStructured<KubeObject>(body, t.schema, mode, what);
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersionOf(t)) {
      throw errors.badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(t)})`);
    }
    if (object.kind !== undefined && object.kind !== t.kind) {
      throw errors.badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${t.kind})`);
    }
    object.apiVersion = apiVersionOf(t);
    object.kind = t.kind;
    object.metadata ??= {};
    const meta = object.metadata;
    if (t.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== path.namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = path.namespace as string;
    } else delete meta.namespace;
    if (path.name !== undefined) {
      if (meta.name !== undefined && meta.name !== path.name) {
        throw errors.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${path.name})`);
      }
      meta.name = path.name;
    } else if (!meta.name && meta.generateName) {
      meta.name = meta.generateName + randomUUID().replace(/-/g, '').slice(0, 5);
    }
    // A client may send managedFields to reset or migrate ownership (kubectl's upgrade from client-side
    // apply does, by JSON patch); none or an empty list keeps the stored ones (see replace()).
    if (!Array.isArray(meta.managedFields) || meta.managedFields.length === 0) delete meta.managedFields;
    delete meta.selfLink;
    return { obj: object, warnings };
  }

  async create(s: Strategy, namespace: string | undefined, body: unknown, o: WriteOptions): Promise<WriteResult<KubeObject>> {
    const { obj, warnings } = this.decode(s, body, o.fieldValidation, namespace !== undefined ? { namespace } : {});
    return { code: 201, object: await this.createDecoded(s, obj, o, { operation: 'Update' }), warnings };
  }

  private async createDecoded(s: Strategy, obj: KubeObject, o: WriteOptions, own: Ownership): Promise<KubeObject> {
    const meta = obj.metadata;
    if (meta.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
    const prepared = await s.prepare(obj, undefined);
    const now = rfc3339(this.clock());
    const object: KubeObject = recordManagers(undefined, prepared.object, { manager: managerOf(o), ...own, force: true, time: now });
    object.metadata = { ...object.metadata, uid: randomUUID(), creationTimestamp: now, ...(s.type.hasSpec ? { generation: 1 } : {}) };
    delete object.metadata.deletionTimestamp;
    const key = { namespace: meta.namespace, name: meta.name ?? '' } as ObjectKey;
    if (o.dryRun) {
      if (await this.store.get(s.type.resource, key)) throw errors.alreadyExists(this.ref(s.type, key.name));
      return object;
    }
    const written = await this.store.transact(s.type.resource, key, (current) => {
      if (current) throw errors.alreadyExists(this.ref(s.type, key.name));
      return { write: prepared.internal ? { object, internal: prepared.internal } : { object } };
    });
    return this.present(s, written as StoredRecord);
  }

  /** PUT: replaces the object; a stale resourceVersion is a 409 Conflict. */
  async update(s: Strategy, key: ObjectKey, body: unknown, o: WriteOptions): Promise<WriteResult<KubeObject>> {
    const { obj, warnings } = this.decode(s, body, o.fieldValidation, key);
    const object = await this.replace(s, key, () => obj, o, true, { operation: 'Update' });
    return { code: 200, object, warnings };
  }

  /** PATCH: JSON, merge, strategic merge, or server-side apply (which creates when missing). */
  async patch(s: Strategy, key: ObjectKey, patch: unknown, format: BodyFormat, o: WriteOptions): Promise<WriteResult<KubeObject>> {
    if (format === 'apply-patch') {
      if (!o.fieldManager) throw errors.badRequest('PATCH requests with apply-patch content type require fieldManager');
      const { obj: config, warnings } = this.decode(s, patch, 'Strict', key);
      if (config.metadata.managedFields !== undefined) throw errors.badRequest('metadata.managedFields must be nil');
      const manager = o.fieldManager;
      const existing = await this.store.get(s.type.resource, key);
      if (!existing) {
        const applied = applyConfiguration({ apiVersion: config.apiVersion, kind: config.kind, metadata: {} }, config, manager);
        return { code: 201, object: await this.createDecoded(s, structuredClone(config), o, { operation: 'Apply', applied: applied.fields }), warnings };
      }
      let fields: FieldSet = new Set();
      const object = await this.replace(
        s,
        key,
        (live) => {
          const applied = applyConfiguration(live, config, manager);
          fields = applied.fields;
          return applied.object;
        },
        o,
        false,
        {
          operation: 'Apply',
          get applied() {
            return fields;
          },
        },
      );
      return { code: 200, object, warnings };
    }
    if (format === 'json-patch') {
      if (!Array.isArray(patch)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    } else if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw errors.badRequest('a merge patch must be a JSON object');
    let warnings: readonly string[] = [];
    const object = await this.replace(
      s,
      key,
      (live) => {
        const merged = format === 'json-patch' ? jsonPatch(live, patch) : format === 'merge-patch' ? mergePatch(live, patch) : strategicMergePatch(live, patch);
        const decoded = this.decode(s, merged, o.fieldValidation, key);
        warnings = decoded.warnings;
        return decoded.obj;
      },
      o,
      false,
      { operation: 'Update' },
    );
    return { code: 200, object, warnings };
  }

  private async replace(
    s: Strategy,
    key: ObjectKey,
    build: (live: KubeObject, internal: Readonly<Record<string, unknown>> | undefined) => KubeObject,
    o: WriteOptions,
    isPut: boolean,
    own: Ownership,
  ): Promise<KubeObject> {
    let result: KubeObject | undefined;
    const written = await this.store.transact(s.type.resource, key, async (current) => {
      if (!current) throw errors.notFound(this.ref(s.type, key.name));
      const live = await this.present(s, current);
      const next = build(structuredClone(live), current.internal);
      const rv = next.metadata.resourceVersion;
      if (rv !== undefined && rv !== '' && rv !== current.object.metadata.resourceVersion) {
        throw errors.conflict(this.ref(s.type, key.name), CONFLICT_MSG);
      }
      if (next.metadata.uid !== undefined && next.metadata.uid !== '' && next.metadata.uid !== current.object.metadata.uid) {
        throw errors.conflict(
          this.ref(s.type, key.name),
          `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${current.object.metadata.uid ?? ''}`,
        );
      }
      const prepared = await s.prepare(next, current);
      const old = current.object;
      const specChanged = JSON.stringify(prepared.object['spec']) !== JSON.stringify(old['spec']);
      // Sent managedFields (non-empty) replace the stored ones before this write is recorded.
      const base =
        own.operation === 'Update' && next.metadata.managedFields !== undefined && next.metadata.managedFields.length > 0
          ? { ...live, metadata: { ...live.metadata, managedFields: next.metadata.managedFields } }
          : live;
      const owned = recordManagers(base, prepared.object, { manager: managerOf(o), ...own, force: o.force === true, time: rfc3339(this.clock()) });
      const object: KubeObject = {
        ...owned,
        metadata: {
          ...owned.metadata,
          uid: old.metadata.uid,
          creationTimestamp: old.metadata.creationTimestamp,
          ...(old.metadata.deletionTimestamp ? { deletionTimestamp: old.metadata.deletionTimestamp } : {}),
          ...(s.type.hasSpec ? { generation: (old.metadata.generation ?? 1) + (specChanged ? 1 : 0) } : {}),
        },
      };
      if (!isPut && next.metadata.finalizers === undefined) delete object.metadata.finalizers;
      // Nothing but fields: an `applied` copy of configurations (older releases kept one, Secret data included) is dropped.
      const { applied: _legacy, ...internal } = prepared.internal ?? current.internal ?? {};
      const unchanged = sameObject(object, old) && JSON.stringify(internal) === JSON.stringify(current.internal ?? {});
      if (unchanged) {
        result = live; // as readers see it (a dry run answers this too, so kubectl diff shows no change)
        return { none: true };
      }
      if (o.dryRun) {
        // What would be stored, as a reader would see it (status included), and nothing written.
        result = await this.present(s, { object: { ...object, metadata: { ...object.metadata, resourceVersion: old.metadata.resourceVersion } }, internal });
        return { none: true };
      }
      if (object.metadata.deletionTimestamp && (object.metadata.finalizers ?? []).length === 0) return { delete: true };
      return { write: Object.keys(internal).length > 0 ? { object, internal } : { object } };
    });
    if (o.dryRun || !written) return result as KubeObject;
    return this.present(s, written);
  }

  /** DELETE with DeleteOptions: preconditions, dryRun, finalizers, propagationPolicy (Orphan keeps member objects). */
  async delete(s: Strategy, key: ObjectKey, body: unknown, query: { propagationPolicy?: string; dryRun?: boolean }): Promise<{ code: number; body: unknown }> {
    const opts = body === undefined ? {} : decodeStructured<Record<string, unknown>>(body, deleteOptionsSchema, 'Strict', 'DeleteOptions').object;
    const policy =
      (opts['propagationPolicy'] as string | undefined) ?? query.propagationPolicy ?? (opts['orphanDependents'] === true ? 'Orphan' : 'Background');
    if (!['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw errors.badRequest(`propagationPolicy must be one of Orphan, Background, Foreground (got ${JSON.stringify(policy)})`);
    }
    const pre = (opts['preconditions'] ?? {}) as { uid?: string; resourceVersion?: string };
    const dryRun = query.dryRun === true || (Array.isArray(opts['dryRun']) && (opts['dryRun'] as string[]).includes('All'));
    const ref = this.ref(s.type, key.name);
    let outcome: { code: number; body: unknown } = { code: 200, body: successStatus(ref) };
    await this.store.transact(s.type.resource, key, async (current) => {
      if (!current) throw errors.notFound(ref);
      const meta = current.object.metadata;
      if (pre.uid && pre.uid !== meta.uid)
        throw errors.conflict(ref, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`);
      if (pre.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw errors.conflict(
          ref,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
        );
      }
      const finalizers = [...(meta.finalizers ?? [])];
      if (finalizers.length === 0) {
        outcome = { code: 200, body: successStatus(ref, meta.uid) };
        return dryRun ? { none: true } : { delete: true };
      }
      // Finalizers pending (a controller must clean up member objects first): mark for deletion.
      if (policy === 'Orphan' && !finalizers.includes(SKYFED.orphanFinalizer)) finalizers.push(SKYFED.orphanFinalizer);
      const object: KubeObject = { ...current.object, metadata: { ...meta, finalizers, deletionTimestamp: meta.deletionTimestamp ?? rfc3339(this.clock()) } };
      outcome = { code: 200, body: await this.present(s, { ...current, object }) };
      if (dryRun) return { none: true };
      return { write: current.internal ? { object, internal: current.internal } : { object } };
    });
    return outcome;
  }
}
