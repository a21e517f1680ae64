/**
 * Which Google APIs each function target's code calls, derived from the source (not from the .tf):
 * starting at the handler functions/handlers.ts builds for the target, follow every function,
 * method and class the code calls or reads (resolved with the TypeScript type checker; calls through
 * an interface — a port — follow every class that implements it), and look for the adapter calls
 * that reach Google: Firestore reads/writes, KMS :encrypt / :decrypt, Cloud Scheduler runJob, Cloud
 * DNS changes. The least roles follow from those calls (GRANTS).
 */
import { join } from 'node:path';
import ts from 'typescript';
import { REPO } from './module';

export type GoogleCall = 'firestore' | 'kms.encrypt' | 'kms.decrypt' | 'scheduler.runJob' | 'clouddns.change';

/** Code that reaches each Google API (adapter source in shared/). */
const MARKERS: readonly [GoogleCall, RegExp][] = [
  ['firestore', /\.(collection|doc|runTransaction|getAll|batch)\(/],
  ['kms.encrypt', /:encrypt`/],
  ['kms.decrypt', /:decrypt`/],
  ['scheduler.runJob', /\.runJob\(/],
  ['clouddns.change', /\.createChange\(/],
];

/** The least predefined role for each call, and where it is bound. */
export const GRANTS: Readonly<Record<GoogleCall, { scope: 'project' | 'key' | 'zone'; role: string }>> = {
  firestore: { scope: 'project', role: 'roles/datastore.user' },
  'kms.encrypt': { scope: 'key', role: 'roles/cloudkms.cryptoKeyEncrypter' },
  'kms.decrypt': { scope: 'key', role: 'roles/cloudkms.cryptoKeyDecrypter' },
  'scheduler.runJob': { scope: 'project', role: 'roles/cloudscheduler.jobRunner' },
  'clouddns.change': { scope: 'zone', role: 'roles/dns.admin' },
};

let program: ts.Program | undefined;
function load(): ts.Program {
  if (program) return program;
  const cfg = ts.getParsedCommandLineOfConfigFile(join(REPO, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!cfg) throw new Error('tsconfig.json did not parse');
  // Only the repo's own code matters: packages and the standard library are stood in for by `any`,
  // which keeps the walk to a couple of seconds.
  const options = { ...cfg.options, noLib: true, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    name.includes('/node_modules/') ? ts.createSourceFile(name, 'declare const anything: any; export = anything;', lang) : getSourceFile(name, lang, ...rest);
  program = ts.createProgram(
    cfg.fileNames.filter((f) => /\/(functions|shared)\//.test(f)),
    options,
    host,
  );
  return program;
}

const inRepoCode = (d: ts.Node): boolean => /\/(functions|shared)\//.test(d.getSourceFile().fileName) && !d.getSourceFile().isDeclarationFile;
/** The composition root builds every adapter; a target uses only the members it reads (rt.store, rt.clientFor…). */
const isCompositionRoot = (d: ts.Node): boolean => ts.isFunctionDeclaration(d) && d.getSourceFile().fileName.endsWith('functions/runtime.ts');

const isFunctionLike = (n: ts.Node): boolean =>
  ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n) || ts.isFunctionDeclaration(n) || ts.isGetAccessor(n);
/** Code that runs only when something calls it by name: methods, and members of returned objects. */
const isCalledByName = (n: ts.Node): boolean =>
  ts.isMethodDeclaration(n) ||
  ts.isFunctionDeclaration(n) ||
  ts.isGetAccessor(n) ||
  (ts.isPropertyAssignment(n) && ts.isObjectLiteralExpression(n.parent) && isFunctionLike(n.initializer));

/** Where members of each interface or object type (a port) are implemented: classes that implement it, and object literals typed as it. */
let implementers: Map<ts.Node, ts.Node[]> | undefined;
function implementations(p: ts.Program, checker: ts.TypeChecker, type: ts.Node, member: string): ts.Node[] {
  if (!implementers) {
    const index = new Map<ts.Node, ts.Node[]>();
    const add = (decl: ts.Node | undefined, members: readonly ts.Node[]): void => {
      if (decl) index.set(decl, [...(index.get(decl) ?? []), ...members]);
    };
    for (const sf of p.getSourceFiles()) {
      if (!inRepoCode(sf)) continue;
      sf.forEachChild(function visit(n) {
        if (ts.isClassDeclaration(n)) {
          for (const h of n.heritageClauses ?? []) {
            for (const t of h.types) {
              const sym = checker.getSymbolAtLocation(t.expression);
              add((sym && sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym)?.declarations?.[0], n.members);
            }
          }
        }
        if (ts.isObjectLiteralExpression(n)) add(checker.getContextualType(n)?.getSymbol()?.declarations?.[0], n.properties);
        n.forEachChild(visit);
      });
    }
    implementers = index;
  }
  return (implementers.get(type) ?? []).filter((m) => (m as ts.ClassElement).name?.getText() === member);
}

/** Every Google call reachable from the named export of a module. */
export function callsFrom(file: string, exportName: string): Set<GoogleCall> {
  const p = load();
  const checker = p.getTypeChecker();
  const sf = p.getSourceFile(join(REPO, file));
  if (!sf) throw new Error(`${file} is not in the program`);
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(sf) as ts.Symbol).find((s) => s.name === exportName);
  if (!exported) throw new Error(`${file} exports no ${exportName}`);
  const seen = new Set<ts.Node>();
  const queue: ts.Node[] = [...(exported.declarations ?? [])];
  const found = new Set<GoogleCall>();
  const parents = new Map<ts.Node, ts.Node>();
  let from: ts.Node = sf;
  const enqueueSymbol = (sym: ts.Symbol | undefined): void => {
    if (!sym) return;
    const s = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    for (const d of s.declarations ?? []) {
      if (!inRepoCode(d) || isCompositionRoot(d)) continue;
      if (ts.isPropertySignature(d) && checker.getTypeAtLocation(d).getCallSignatures().length === 0) continue; // data, not code
      const targets =
        (ts.isMethodSignature(d) || ts.isPropertySignature(d)) && (ts.isInterfaceDeclaration(d.parent) || ts.isTypeLiteralNode(d.parent))
          ? implementations(p, checker, d.parent, s.name)
          : [d];
      for (const t of targets) {
        if (!parents.has(t)) parents.set(t, from);
        queue.push(t);
      }
    }
  };
  while (queue.length) {
    const start = queue.pop() as ts.Node;
    if (seen.has(start)) continue;
    seen.add(start);
    from = start;
    (function visit(n: ts.Node, top: boolean): void {
      if (ts.isTypeNode(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isImportDeclaration(n)) return;
      if (!top && isCalledByName(n)) return;
      if (ts.isCallExpression(n) || ts.isNewExpression(n) || ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
        const text = ts.isCallExpression(n) || ts.isNewExpression(n) ? `${n.expression.getText()}(` : n.getText();
        for (const [call, re] of MARKERS) {
          if (!re.test(text)) continue;
          found.add(call);
          if (process.env['TRACE_CALLS'] === call) {
            const chain: string[] = [];
            for (let x: ts.Node | undefined = start; x && chain.length < 40; x = parents.get(x))
              chain.push(`${x.getSourceFile().fileName.replace(REPO, '')}:${x.getText().slice(0, 50).replace(/\s+/g, ' ')}`);
            console.log(call, chain.join('\n  <- '));
          }
        }
      }
      if (ts.isShorthandPropertyAssignment(n)) enqueueSymbol(checker.getShorthandAssignmentValueSymbol(n));
      else if (ts.isIdentifier(n)) enqueueSymbol(checker.getSymbolAtLocation(n));
      // A class is entered for its constructor and field initializers; its methods when called.
      n.forEachChild((c) => visit(c, false));
    })(start, true);
  }
  return found;
}

/** The handler behind each target: functions/handlers.ts imports its builder by the target's name. */
export function handlerModuleOf(target: string): string {
  const p = load();
  const sf = p.getSourceFile(join(REPO, 'functions/handlers.ts')) as ts.SourceFile;
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !st.importClause?.namedBindings || !ts.isNamedImports(st.importClause.namedBindings)) continue;
    if (st.importClause.namedBindings.elements.some((e) => e.name.text === target)) {
      const spec = (st.moduleSpecifier as ts.StringLiteral).text;
      return join('functions', spec, 'index.ts');
    }
  }
  throw new Error(`functions/handlers.ts does not import a handler named ${target}`);
}
