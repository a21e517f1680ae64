/**
 * The CoreDNS opt-in (`spec.dns.manageCoreDNS: true`), Corefile side: append one marked block that
 * imports skyfed's server block, and take exactly that block out again. Pure. Every byte of the
 * operator's own Corefile is kept: unpatch(patch(x)) === x, and patching twice changes nothing.
 */
import { ZONE_MOUNT } from './plan';

const BEGIN = '# skyfed-dns begin: in-cluster discovery, added by skyfed and removed when the cluster leaves';
/** The same marker when skyfed had to end the operator's last line first (that line break goes too). */
const BEGIN_NEWLINE = `${BEGIN} (with the line break above)`;
const END = '# skyfed-dns end';
/** A glob (matching only `Corefile`): CoreDNS starts even while the ConfigMap is absent, where a plain path would fail. */
export const IMPORT_LINE = `import ${ZONE_MOUNT}/Corefil[e]`;

const BLOCK_BODY = ['# (a glob on purpose: CoreDNS still starts while ConfigMap kube-system/skyfed-dns is absent)', IMPORT_LINE, END, ''].join('\n');

export interface CorefileEdit {
  readonly text: string;
  readonly changed: boolean;
  /** Why nothing was done, when that needs the operator's attention. */
  readonly note?: string;
}

interface Found {
  readonly start: number;
  readonly end: number;
  readonly newlineAdded: boolean;
}

/** Our block's span, or 'broken' when a begin marker has no end marker after it. */
function findBlock(text: string): Found | 'broken' | undefined {
  const re = /^# skyfed-dns begin:[^\n]*$/m;
  const m = re.exec(text);
  if (!m) return undefined;
  const endAt = text.indexOf(`\n${END}`, m.index);
  if (endAt < 0) return 'broken';
  let end = endAt + 1 + END.length;
  if (text[end] === '\n') end++;
  const newlineAdded = m[0] === BEGIN_NEWLINE;
  return { start: newlineAdded && text[m.index - 1] === '\n' ? m.index - 1 : m.index, end, newlineAdded };
}

/** True when the operator already imports skyfed's server block themselves (the README's manual change). */
function importedByHand(text: string): boolean {
  return text.split('\n').some((l) => /^\s*import\s+/.test(l) && l.includes(ZONE_MOUNT));
}

export function patchCorefile(text: string): CorefileEdit {
  const found = findBlock(text);
  if (found === 'broken') return { text, changed: false, note: 'the Corefile has a skyfed-dns begin marker without its end marker; fix it by hand' };
  if (found) {
    const head = found.newlineAdded ? `\n${BEGIN_NEWLINE}\n` : `${BEGIN}\n`;
    const wanted = head + BLOCK_BODY;
    const have = text.slice(found.start, found.end);
    if (have === wanted || (have.endsWith(END) && wanted === `${have}\n`)) return { text, changed: false };
    const patched = text.slice(0, found.start) + wanted + text.slice(found.end);
    return { text: patched, changed: true };
  }
  if (importedByHand(text)) return { text, changed: false, note: `the Corefile already imports ${ZONE_MOUNT} (set up by hand)` };
  const needsNewline = text !== '' && !text.endsWith('\n');
  return { text: needsNewline ? `${text}\n${BEGIN_NEWLINE}\n${BLOCK_BODY}` : `${text}${BEGIN}\n${BLOCK_BODY}`, changed: true };
}

export function unpatchCorefile(text: string): CorefileEdit {
  const found = findBlock(text);
  if (found === undefined) return { text, changed: false };
  if (found === 'broken')
    return { text, changed: false, note: "the Corefile has a skyfed-dns begin marker without its end marker; remove skyfed's lines by hand" };
  // The line break skyfed added stays when the operator wrote lines after the block: it now ends their line.
  const start = found.newlineAdded && found.end < text.length && text[found.start] === '\n' ? found.start + 1 : found.start;
  return { text: text.slice(0, start) + text.slice(found.end), changed: true };
}

/** Port of the Corefile's root (`.`) server block, so skyfed's block listens where the cluster's DNS does. */
export function rootServerPort(text: string): number {
  for (const line of text.split('\n')) {
    const m = /^\s*(?:dns:\/\/)?\.(?::(\d{1,5}))?(?:\s+[^{]*)?\s*\{\s*$/.exec(line);
    if (m) return m[1] ? Number(m[1]) : 53;
  }
  return 53;
}
