/**
 * Placement: which clusters a federated Service goes to. v1's annotation
 * `federation.alpha.kubernetes.io/cluster-selector` holds a JSON list of `{key, operator, values}`
 * over Cluster labels; every requirement must hold (matched by k8s/selector.ts, the one label matcher).
 * No annotation = every cluster.
 */
import { Operator, Requirement, matches } from '../k8s/selector';
import { SKYFED } from '../model/meta';

const OPERATORS: Record<string, Operator> = {
  in: 'In',
  '=': 'In',
  '==': 'In',
  notin: 'NotIn',
  '!=': 'NotIn',
  exists: 'Exists',
  doesnotexist: 'DoesNotExist',
  '!': 'DoesNotExist',
  gt: 'Gt',
  lt: 'Lt',
};

/** Parses the annotation; returns problems (for validation) instead of throwing. */
export function parseClusterSelector(raw: string | undefined): { requirements: Requirement[]; problems: string[] } {
  if (raw === undefined || raw.trim() === '') return { requirements: [], problems: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { requirements: [], problems: ['must be a JSON list of {"key", "operator", "values"}'] };
  }
  if (!Array.isArray(parsed)) return { requirements: [], problems: ['must be a JSON list of {"key", "operator", "values"}'] };
  const problems: string[] = [];
  const requirements: Requirement[] = [];
  parsed.forEach((r: unknown, i) => {
    const req = r as { key?: unknown; operator?: unknown; values?: unknown };
    if (typeof req?.key !== 'string' || typeof req.operator !== 'string') {
      problems.push(`[${i}]: key and operator must be strings`);
      return;
    }
    const op = OPERATORS[req.operator.toLowerCase()];
    if (!op) {
      problems.push(`[${i}]: unsupported operator ${JSON.stringify(req.operator)} (use In, NotIn, Exists, DoesNotExist, Gt, Lt)`);
      return;
    }
    const values = Array.isArray(req.values) ? req.values.map(String) : [];
    if ((op === 'In' || op === 'NotIn') && values.length === 0) problems.push(`[${i}]: ${op} needs values`);
    if ((op === 'Gt' || op === 'Lt') && (values.length !== 1 || !Number.isFinite(Number(values[0])))) problems.push(`[${i}]: ${op} needs one numeric value`);
    requirements.push({ key: req.key, operator: op, values });
  });
  return { requirements, problems };
}

export function placedOn(annotations: Readonly<Record<string, string>> | undefined, clusterLabels: Readonly<Record<string, string>> | undefined): boolean {
  const { requirements, problems } = parseClusterSelector(annotations?.[SKYFED.clusterSelector]);
  return problems.length === 0 && matches(requirements, clusterLabels);
}
