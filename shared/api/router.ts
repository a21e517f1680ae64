/**
 * The Kubernetes-shaped HTTP API as an express Router (functions-framework hands us express
 * req/res). Thin: parse the request, authenticate, call the generic handlers, render JSON, YAML or
 * a Table, and turn every failure into a `Status`.
 */
import express, { NextFunction, Request, Response } from 'express';
import { stringify as toYaml } from 'yaml';
import { ApiError, errors } from '../k8s/status';
import { parseSelector } from '../k8s/selector';
import { dns1123Label } from '../k8s/validation';
import { parseFieldValidation } from '../model/decode';
import { ResourceName } from '../store/layout';
import { ObjectStore } from '../store/port';
import { Logger } from '../log';
import { AuthConfig, authenticate, authorize } from './auth';
import { bodyFormat, parseBody } from './body';
import { negotiateFormat, pickFormat, readObjectBody } from './negotiate';
import { encodeObject, hasProtobuf, PROTOBUF_MEDIA_TYPE } from './protobuf/codec';
import { queryBool, queryInt, queryString } from './query';
import { apiGroup, apiGroupList, apiVersions, resourceList, versionInfo } from './discovery';
import { openApiDocument, openApiIndex, openApiV2 } from './openapi';
import { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ACCEPT, encodeOpenApiV2 } from './protobuf/openapi-v2';
import { Handlers, WriteOptions } from './handlers';
import { RESOURCE_TYPES, apiVersionOf } from './resources';
import { Strategy } from './strategies';
import { renderTable, wantsTable } from './table';
import { MAX_WATCH_SECONDS, serveWatch } from './watch';

export interface ApiDeps {
  readonly store: ObjectStore;
  readonly strategies: ReadonlyMap<ResourceName, Strategy>;
  readonly auth: AuthConfig;
  readonly log: Logger;
  readonly version: string;
  readonly clock?: () => Date;
  readonly watchPollMs?: number;
}

type RawRequest = Request & { rawBody?: Buffer };
const PUBLIC_PATHS = new Set(['/version', '/healthz', '/readyz', '/livez']);

function send(req: Request, res: Response, code: number, body: unknown, warnings: readonly string[] = []): void {
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

  router.use((req: Request, res: Response, next: NextFunction) => {
    const started = Date.now();
    res.on('finish', () => deps.log.info('request', { method: req.method, path: req.path, code: res.statusCode, ms: Date.now() - started }));
    if (PUBLIC_PATHS.has(req.path)) return next();
    const caller = authenticate(deps.auth, req.get('authorization'));
    authorize(caller, req.method, req.path);
    next();
  });

  router.get('/version', (req, res) => send(req, res, 200, versionInfo(deps.version, clock())));
  for (const p of ['/healthz', '/readyz', '/livez']) router.get(p, (_req, res) => { res.type('text/plain').send('ok'); });
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

  /** scope: 'namespace' (…/namespaces/{ns}/…), 'cluster' (cluster-scoped kinds), 'all' (a kind across namespaces). */
  type Scope = 'namespace' | 'cluster' | 'all';
  const strategyFor = (req: Request, gv: string, resource: string, scope: Scope): Strategy => {
    const s = deps.strategies.get(resource as ResourceName);
    const fits = scope === 'all' || s?.type.namespaced === (scope === 'namespace');
    if (!s || apiVersionOf(s.type) !== gv || !fits) throw errors.pathNotFound(req.path);
    negotiateFormat(req.get('accept'), hasProtobuf(gv, s.type.kind));
    return s;
  };

  const collection = async (req: Request, res: Response, gv: string, resource: string, ns: string | undefined): Promise<void> => {
    const s = strategyFor(req, gv, resource, ns !== undefined ? 'namespace' : 'all');
    if (ns !== undefined) checkSegment('namespace', ns, dns1123Label);
    if (req.method === 'GET') {
      const fields = parseFieldSelector(query(req, 'fieldSelector'));
      const labels = parseSelector(query(req, 'labelSelector'));
      if (queryBool(req, 'watch') === true) {
        const rv = query(req, 'resourceVersion');
        return serveWatch(req, res, {
          list: async () => (await handlers.list(s, ns, labels, fields)).items,
          deletedSince: (rv) => handlers.deletedSince(s, rv, ns, labels, fields),
          ...(rv !== undefined ? { sinceResourceVersion: rv } : {}),
          timeoutSeconds: queryInt(req, 'timeoutSeconds') || MAX_WATCH_SECONDS,
          pollMs: deps.watchPollMs ?? 500,
        });
      }
      const { items, resourceVersion } = await handlers.list(s, ns, labels, fields);
      if (wantsTable(req.get('accept'))) return send(req, res, 200, renderTable(s.type.table, items, clock(), resourceVersion, query(req, 'includeObject')));
      return send(req, res, 200, { kind: `${s.type.kind}List`, apiVersion: apiVersionOf(s.type), metadata: { resourceVersion }, items });
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
        if (wantsTable(req.get('accept'))) return send(req, res, 200, renderTable(s.type.table, [obj], clock(), obj.metadata.resourceVersion ?? '', query(req, 'includeObject')));
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
        const r = await handlers.delete(s, key, body, { ...(policy !== undefined ? { propagationPolicy: policy } : {}), dryRun: query(req, 'dryRun') === 'All' });
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
  router.all('/apis/:group/:version/:resource', (req, res) => collection(req, res, `${p(req, 'group')}/${p(req, 'version')}`, p(req, 'resource'), undefined));
  router.all('/apis/:group/:version/:resource/:name', (req, res) => item(req, res, `${p(req, 'group')}/${p(req, 'version')}`, p(req, 'resource'), undefined, p(req, 'name')));
  router.all('/{*rest}', (req) => { throw errors.pathNotFound(req.path); });

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const apiErr = err instanceof ApiError ? err : errors.internal('an internal error occurred; see the server log');
    if (!(err instanceof ApiError)) deps.log.error('unhandled error', { path: req.path, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    send(req, res, apiErr.code, apiErr.toStatus());
  });
  return router;
}

function parseFieldSelector(raw: string | undefined): { name?: string; namespace?: string } {
  const out: { name?: string; namespace?: string } = {};
  for (const term of (raw ?? '').split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^metadata\.(name|namespace)==?(.*)$/.exec(term);
    if (!m) throw errors.badRequest(`field label not supported: ${term.split(/!?=/)[0] ?? term}`);
    out[m[1] as 'name' | 'namespace'] = m[2] as string;
  }
  return out;
}
