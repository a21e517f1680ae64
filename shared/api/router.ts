/**
 * The Kubernetes-shaped HTTP API as an express Router (functions-framework hands us express
 * req/res). Thin: parse the request, authenticate, call the generic handlers, render JSON, YAML or
 * a Table, and turn every failure into a `Status`.
 */
import express, { NextFunction, Request, Response } from 'express';
import { stringify as toYaml } from 'yaml';
import { ApiError, errors } from '../k8s/status';
import { matches, parseSelector } from '../k8s/selector';
import { dns1123Label } from '../k8s/validation';
import { parseFieldValidation } from '../model/decode';
import { ObjectStore } from '../store/port';
import { Logger } from '../log';
import { AuthConfig, Caller, admit } from './auth';
import { selfReviewRoutes } from './authz-reviews';
import { bodyFormat, parseBody } from './body';
import { negotiateFormat, pickFormat, readObjectBody } from './negotiate';
import { encodeObject, hasProtobuf, PROTOBUF_MEDIA_TYPE } from './protobuf/codec';
import { queryBool, queryInt, queryString } from './query';
import { apiGroup, apiGroupList, apiVersions, resourceList, versionInfo } from './discovery';
import { openApiDocument, openApiIndex, openApiV2 } from './openapi';
import { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ACCEPT, encodeOpenApiV2 } from './protobuf/openapi-v2';
import { matchesFields, parseFieldSelector } from './field-selector';
import { Handlers, WriteOptions } from './handlers';
import { RESOURCE_TYPES, apiVersionOf } from './resources';
import { Strategy } from './strategies';
import { parseLimit } from './list';
import { renderTable, tableEvents, wantsTable } from './table';
import { MAX_WATCH_SECONDS, WatchHub, serveWatch } from './watch';
import { isExpected, toApiError } from './failures';

export interface ApiDeps {
  readonly store: ObjectStore;
  readonly strategies: ReadonlyMap<string, Strategy>;
  readonly auth: AuthConfig;
  readonly log: Logger;
  readonly version: string;
  readonly clock?: () => Date;
  readonly watchPollMs?: number;
  /** Open watches one caller may hold on this instance (default 250); more are answered 429. */
  readonly maxWatchesPerUser?: number;
  /** A request not answered by then gets 504 (the store's own deadline is shorter). Default 9.5 s. */
  readonly requestDeadlineMs?: number;
}

type RawRequest = Request & { rawBody?: Buffer };

function send(req: Request, res: Response, code: number, body: unknown, warnings: readonly string[] = []): void {
  if (res.headersSent) return; // answered already (the request deadline passed)
  for (const w of warnings) res.append('Warning', `299 - ${JSON.stringify(w)}`);
  const b = (body ?? {}) as Record<string, unknown>;
  const format = pickFormat(req.get('accept'), hasProtobuf(b['apiVersion'], b['kind'])) ?? 'json';
  if (format === 'yaml') {
    res.status(code).type('application/yaml').send(toYaml(body));
    return;
  }
  const protobuf = format === 'protobuf' ? encodeObject(b) : undefined;
  if (protobuf) {
    res.status(code).type(PROTOBUF_MEDIA_TYPE).send(protobuf);
    return;
  }
  res.status(code).type('application/json').send(JSON.stringify(body));
}

const query = queryString;

function writeOptions(req: Request): WriteOptions {
  const dryRun = query(req, 'dryRun');
  if (dryRun !== undefined && dryRun !== 'All') throw errors.badRequest(`dryRun must be "All" (got ${JSON.stringify(dryRun)})`);
  const fieldManager = query(req, 'fieldManager');
  return {
    fieldValidation: parseFieldValidation(query(req, 'fieldValidation')),
    dryRun: dryRun === 'All',
    ...(fieldManager !== undefined ? { fieldManager } : {}),
    force: queryBool(req, 'force') === true,
    ...(req.get('user-agent') !== undefined ? { userAgent: req.get('user-agent') as string } : {}),
  };
}

function checkSegment(kind: string, value: string, rule: (v: string) => string[]): string {
  const problems = rule(value);
  if (problems.length > 0) throw errors.badRequest(`invalid ${kind} ${JSON.stringify(value)} in the request path: ${problems[0]}`);
  return value;
}

export function apiRouter(deps: ApiDeps): express.Router {
  const router = express.Router({ strict: false });
  const clock = deps.clock ?? (() => new Date());
  const handlers = new Handlers(deps.store, clock);
  const types = RESOURCE_TYPES;
  const hub = new WatchHub(deps.watchPollMs ?? 500);
  const watching = new Map<string, number>();
  const maxWatches = deps.maxWatchesPerUser ?? 250;

  router.use((req: Request, res: Response, next: NextFunction) => {
    const started = Date.now();
    res.on('finish', () => deps.log.info('request', { method: req.method, path: req.path, code: res.statusCode, ms: Date.now() - started }));
    const caller = admit(deps.auth, req.method, req.path, req.get('authorization'));
    if (caller) res.locals['caller'] = caller;
    if (req.query['watch'] === undefined) {
      const timer = setTimeout(() => {
        const e = errors.timeout('the request did not complete in time; a write may or may not have been applied', 2);
        res.setHeader('Retry-After', '2');
        send(req, res, e.code, e.toStatus());
      }, deps.requestDeadlineMs ?? 9500);
      res.on('close', () => clearTimeout(timer));
    }
    next();
  });

  router.get('/version', (req, res) => send(req, res, 200, versionInfo(deps.version, clock())));
  for (const p of ['/healthz', '/readyz', '/livez'])
    router.get(p, (_req, res) => {
      res.type('text/plain').send('ok');
    });
  router.get('/api', (req, res) => send(req, res, 200, apiVersions()));
  router.get('/apis', (req, res) => send(req, res, 200, apiGroupList(types)));
  router.get('/openapi/v2', (req, res) => {
    const doc = openApiV2(types, deps.version);
    // kubectl 1.27/1.28 ask for gnostic protobuf only; other clients get JSON.
    if (OPENAPI_V2_PROTOBUF_ACCEPT.test(req.get('accept') ?? '')) {
      res.status(200).type(OPENAPI_V2_PROTOBUF).send(encodeOpenApiV2(doc));
      return;
    }
    send(req, res, 200, doc);
  });
  router.get('/openapi/v3', (req, res) => send(req, res, 200, openApiIndex(types)));
  router.get('/openapi/v3/{*gv}', (req, res) => {
    const gv = String(req.path.replace(/^\/openapi\/v3\/(apis?)\//, ''));
    const doc = openApiDocument(types, gv);
    if (!doc) throw errors.pathNotFound(req.path);
    send(req, res, 200, doc);
  });
  router.get('/api/:version', (req, res) => {
    const list = resourceList(types, String(req.params['version']));
    if (!list) throw errors.pathNotFound(req.path);
    send(req, res, 200, list);
  });
  router.get('/apis/:group', (req, res) => {
    const g = apiGroup(types, String(req.params['group']));
    if (!g) throw errors.pathNotFound(req.path);
    send(req, res, 200, g);
  });
  router.get('/apis/:group/:version', (req, res) => {
    const list = resourceList(types, `${String(req.params['group'])}/${String(req.params['version'])}`);
    if (!list) throw errors.pathNotFound(req.path);
    send(req, res, 200, list);
  });

  router.use(selfReviewRoutes(clock));

  /** scope: 'namespace' (…/namespaces/{ns}/…), 'cluster' (cluster-scoped kinds), 'all' (a kind across namespaces). */
  type Scope = 'namespace' | 'cluster' | 'all';
  const strategyFor = (req: Request, gv: string, resource: string, scope: Scope): Strategy => {
    const s = [...deps.strategies.values()].find((x) => x.type.resource === resource && apiVersionOf(x.type) === gv);
    const fits = scope === 'all' || s?.type.namespaced === (scope === 'namespace');
    if (!s || apiVersionOf(s.type) !== gv || !fits) throw errors.pathNotFound(req.path);
    negotiateFormat(req.get('accept'), hasProtobuf(gv, s.type.kind));
    return s;
  };

  const collection = async (req: Request, res: Response, gv: string, resource: string, ns: string | undefined): Promise<void> => {
    const s = strategyFor(req, gv, resource, ns !== undefined ? 'namespace' : 'all');
    if (ns !== undefined) checkSegment('namespace', ns, dns1123Label);
    if (req.method === 'GET') {
      const fields = parseFieldSelector(query(req, 'fieldSelector'), s.type.fields);
      const labels = parseSelector(query(req, 'labelSelector'));
      const q = { ...(ns !== undefined ? { namespace: ns } : {}), labels, fields };
      const table = wantsTable(req.get('accept'));
      if (queryBool(req, 'watch') === true) {
        const rv = query(req, 'resourceVersion');
        const timeoutSeconds = watchSeconds(queryInt(req, 'timeoutSeconds'));
        const user = (res.locals['caller'] as Caller | undefined)?.user ?? '';
        const open = watching.get(user) ?? 0;
        if (open >= maxWatches) {
          throw errors.tooManyRequests(`too many open watches for user "${user}" (limit ${maxWatches}); close some or retry later`, 5);
        }
        watching.set(user, open + 1);
        try {
          return await serveWatch(req, res, {
            hub,
            key: `${s.type.resource}/${ns ?? ''}`,
            source: { list: () => deps.store.list(s.type.resource, ns), present: (rec) => handlers.present(s, rec) },
            matches: (o) => matches(labels, o.metadata.labels) && matchesFields(fields, o, s.type.fields),
            deletedSince: (rv) => handlers.deletedSince(s, rv, q),
            ...(rv !== undefined ? { sinceResourceVersion: rv } : {}),
            timeoutSeconds,
            ...(table ? { render: tableEvents(s.type.table, clock, query(req, 'includeObject')) } : {}),
          });
        } finally {
          const left = (watching.get(user) ?? 1) - 1;
          if (left > 0) watching.set(user, left);
          else watching.delete(user);
        }
      }
      const limit = parseLimit(query(req, 'limit'));
      const cont = query(req, 'continue');
      const page = await handlers.list(s, { ...q, ...(limit !== undefined ? { limit } : {}), ...(cont !== undefined ? { continue: cont } : {}) });
      const listMeta = {
        resourceVersion: page.resourceVersion,
        ...(page.continue !== undefined ? { continue: page.continue } : {}),
        ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
      };
      if (table)
        return send(req, res, 200, {
          ...renderTable(s.type.table, page.items, clock(), page.resourceVersion, query(req, 'includeObject')),
          metadata: listMeta,
        });
      return send(req, res, 200, { kind: `${s.type.kind}List`, apiVersion: apiVersionOf(s.type), metadata: listMeta, items: page.items });
    }
    if (req.method === 'POST') {
      if (s.type.namespaced && ns === undefined) throw errors.methodNotAllowed('POST');
      const { body } = readObjectBody((req as RawRequest).rawBody, req.get('content-type'), hasProtobuf(gv, s.type.kind));
      const r = await handlers.create(s, ns, body, writeOptions(req));
      return send(req, res, r.code, r.object, r.warnings);
    }
    throw errors.methodNotAllowed(req.method);
  };

  const item = async (req: Request, res: Response, gv: string, resource: string, ns: string | undefined, name: string): Promise<void> => {
    const s = strategyFor(req, gv, resource, ns !== undefined ? 'namespace' : 'cluster');
    if (ns !== undefined) checkSegment('namespace', ns, dns1123Label);
    const key = { ...(ns !== undefined ? { namespace: ns } : {}), name: checkSegment('name', name, s.type.nameRule) };
    const raw = (req as RawRequest).rawBody;
    switch (req.method) {
      case 'GET': {
        const obj = await handlers.get(s, key);
        if (wantsTable(req.get('accept')))
          return send(req, res, 200, renderTable(s.type.table, [obj], clock(), obj.metadata.resourceVersion ?? '', query(req, 'includeObject')));
        return send(req, res, 200, obj);
      }
      case 'PUT': {
        const r = await handlers.update(s, key, readObjectBody(raw, req.get('content-type'), hasProtobuf(gv, s.type.kind)).body, writeOptions(req));
        return send(req, res, r.code, r.object, r.warnings);
      }
      case 'PATCH': {
        const format = bodyFormat(req.get('content-type'));
        const r = await handlers.patch(s, key, parseBody(raw, format), format, writeOptions(req));
        return send(req, res, r.code, r.object, r.warnings);
      }
      case 'DELETE': {
        const body = raw && raw.length > 0 ? readObjectBody(raw, req.get('content-type') ?? 'application/json', true).body : undefined;
        const policy = query(req, 'propagationPolicy');
        const r = await handlers.delete(s, key, body, {
          ...(policy !== undefined ? { propagationPolicy: policy } : {}),
          dryRun: query(req, 'dryRun') === 'All',
        });
        return send(req, res, r.code, r.body);
      }
      default:
        throw errors.methodNotAllowed(req.method);
    }
  };

  const p = (req: Request, k: string): string => String(req.params[k]);
  // Namespaces are implicit in skyfed (any valid name exists); kubectl reads one to word its errors.
  router.get('/api/v1/namespaces/:ns', (req, res) => {
    const ns = checkSegment('namespace', p(req, 'ns'), dns1123Label);
    send(req, res, 200, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  });
  router.all('/api/v1/namespaces/:ns/:resource', (req, res) => collection(req, res, 'v1', p(req, 'resource'), p(req, 'ns')));
  router.all('/api/v1/namespaces/:ns/:resource/:name', (req, res) => item(req, res, 'v1', p(req, 'resource'), p(req, 'ns'), p(req, 'name')));
  router.all('/api/v1/:resource', (req, res) => collection(req, res, 'v1', p(req, 'resource'), undefined));
  router.all('/apis/:group/:version/namespaces/:ns/:resource', (req, res) =>
    collection(req, res, `${p(req, 'group')}/${p(req, 'version')}`, p(req, 'resource'), p(req, 'ns')),
  );
  router.all('/apis/:group/:version/namespaces/:ns/:resource/:name', (req, res) =>
    item(req, res, `${p(req, 'group')}/${p(req, 'version')}`, p(req, 'resource'), p(req, 'ns'), p(req, 'name')),
  );
  router.all('/apis/:group/:version/:resource', (req, res) => collection(req, res, `${p(req, 'group')}/${p(req, 'version')}`, p(req, 'resource'), undefined));
  router.all('/apis/:group/:version/:resource/:name', (req, res) =>
    item(req, res, `${p(req, 'group')}/${p(req, 'version')}`, p(req, 'resource'), undefined, p(req, 'name')),
  );
  router.all('/{*rest}', (req) => {
    throw errors.pathNotFound(req.path);
  });

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const apiErr: ApiError = toApiError(err);
    // The message may quote a request body (Secret data): quoted parts stay out of the log.
    if (!isExpected(err))
      deps.log.error('unhandled error', {
        path: req.path,
        error: err instanceof Error ? `${err.name}: ${err.message.replace(/(["'`]).*?\1/g, '$1…$1').slice(0, 300)}` : typeof err,
      });
    else if (apiErr.code >= 500) deps.log.warn('store trouble', { path: req.path, error: (err as Error).name, code: apiErr.code });
    if (apiErr.details?.retryAfterSeconds !== undefined && !res.headersSent) res.setHeader('Retry-After', String(apiErr.details.retryAfterSeconds));
    send(req, res, apiErr.code, apiErr.toStatus());
  });
  return router;
}

/** `timeoutSeconds` of a watch (parsed as kube-apiserver parses integers); absent or 0 means the longest we serve. */
function watchSeconds(n: number | undefined): number {
  if (n === undefined || n <= 0) return MAX_WATCH_SECONDS;
  return Math.min(n, MAX_WATCH_SECONDS);
}
