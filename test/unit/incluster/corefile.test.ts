import { IMPORT_LINE, patchCorefile, rootServerPort, unpatchCorefile } from '../../../shared/incluster/corefile';
import { ALL, KUBEADM } from './corefiles';

const variants = Object.entries(ALL).flatMap(
  ([dist, text]) =>
    [
      [dist, text],
      [`${dist} without its last line break`, text.replace(/\n$/, '')],
      [`${dist} with CRLF line ends`, text.replace(/\n/g, '\r\n')],
      [`${dist} with an operator block after the root`, `${text}\nexample.org:53 {\n    forward . 10.0.0.53\n}\n`],
    ] as const,
);

describe.each(variants)('%s', (_name, original) => {
  const patched = patchCorefile(original);

  test("the patch adds one import of skyfed's server block and keeps every byte of the original before it", () => {
    expect(patched.changed).toBe(true);
    expect(patched.text.startsWith(original)).toBe(true);
    expect(patched.text.split('\n').filter((l) => l === IMPORT_LINE)).toHaveLength(1);
    // at top level: after the last closing brace of the operator's blocks
    expect(patched.text.indexOf(IMPORT_LINE)).toBeGreaterThan(original.lastIndexOf('}'));
  });

  test('patching twice changes nothing', () => {
    expect(patchCorefile(patched.text)).toEqual({ text: patched.text, changed: false });
  });

  test('unpatching restores the original byte for byte, and unpatching again changes nothing', () => {
    const un = unpatchCorefile(patched.text);
    expect(un).toEqual({ text: original, changed: true });
    expect(unpatchCorefile(original)).toEqual({ text: original, changed: false });
  });

  test("lines the operator adds after skyfed's block survive its removal", () => {
    const edited = `${patched.text}# operator's note\n`;
    expect(unpatchCorefile(edited).text).toBe(`${original}${original.endsWith('\n') ? '' : '\n'}# operator's note\n`);
  });
});

test("an operator who imported skyfed's block by hand is left alone", () => {
  const byHand = `${KUBEADM}import /etc/coredns/skyfed/Corefile\n`;
  expect(patchCorefile(byHand)).toMatchObject({ text: byHand, changed: false });
  expect(unpatchCorefile(byHand)).toEqual({ text: byHand, changed: false });
});

test('a begin marker whose end marker was deleted is reported, never guessed at', () => {
  const broken = patchCorefile(KUBEADM).text.replace('# skyfed-dns end\n', '');
  expect(patchCorefile(broken)).toMatchObject({ changed: false, note: expect.stringMatching(/end marker/) });
  expect(unpatchCorefile(broken)).toMatchObject({ text: broken, changed: false, note: expect.stringMatching(/by hand/) });
});

test('an edited skyfed block is put back as skyfed writes it', () => {
  const tampered = patchCorefile(KUBEADM).text.replace(IMPORT_LINE, 'import /somewhere/else');
  const fixed = patchCorefile(tampered);
  expect(fixed.changed).toBe(true);
  expect(fixed.text).toBe(patchCorefile(KUBEADM).text);
});

test('an empty Corefile gets only the block, and loses it again', () => {
  const p = patchCorefile('');
  expect(p.text.startsWith('# skyfed-dns begin')).toBe(true);
  expect(unpatchCorefile(p.text).text).toBe('');
});

test.each([
  [KUBEADM, 53],
  ['.:5353 {\n    forward . 8.8.8.8\n}\n', 5353],
  ['. {\n    whoami\n}\n', 53],
  ['example.org {\n    whoami\n}\n', 53],
])('root server port of %j is %d', (text, port) => {
  expect(rootServerPort(text)).toBe(port);
});
