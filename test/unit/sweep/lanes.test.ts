/**
 * The probe lanes: a slow task queued after fast ones still gets the next free slot, fast tasks use
 * slots nobody slow is waiting for, and the limit always holds.
 */
import { twoLanes } from '../../../shared/sweep/lanes';

interface Gate {
  readonly started: string[];
  open(name: string): void;
  task(name: string): () => Promise<string>;
  maxActive: number;
}

function gate(): Gate {
  const opened = new Map<string, () => void>();
  let active = 0;
  const g: Gate = {
    started: [],
    maxActive: 0,
    open: (name) => (opened.get(name) as () => void)(),
    task: (name) => () =>
      new Promise<string>((resolve) => {
        g.started.push(name);
        active++;
        g.maxActive = Math.max(g.maxActive, active);
        opened.set(name, () => {
          active--;
          resolve(name);
        });
      }),
  };
  return g;
}

const ticks = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

test('a slow task queued behind fast ones takes the next free slot', async () => {
  const g = gate();
  const lanes = twoLanes(2);
  const done = [
    lanes.run(false, g.task('f1')),
    lanes.run(false, g.task('f2')),
    lanes.run(false, g.task('f3')),
    lanes.run(false, g.task('f4')),
    lanes.run(true, g.task('s1')),
  ];
  await ticks();
  expect(g.started).toEqual(['f1', 'f2']);
  g.open('f1');
  await ticks();
  expect(g.started).toEqual(['f1', 'f2', 's1']);
  g.open('f2');
  await ticks();
  expect(g.started).toEqual(['f1', 'f2', 's1', 'f3']);
  for (const n of ['s1', 'f3']) g.open(n);
  await ticks();
  g.open('f4');
  expect(await Promise.all(done)).toEqual(['f1', 'f2', 'f3', 'f4', 's1']);
  expect(g.maxActive).toBe(2);
  expect(lanes.active + lanes.waiting).toBe(0);
});

test('slow tasks keep their order, and fast ones fill the slots they leave free', async () => {
  const g = gate();
  const lanes = twoLanes(3);
  const done = [lanes.run(true, g.task('s1')), lanes.run(false, g.task('f1')), lanes.run(true, g.task('s2')), lanes.run(true, g.task('s3'))];
  await ticks();
  expect(g.started).toEqual(['s1', 'f1', 's2']);
  expect(lanes.waiting).toBe(1);
  g.open('f1');
  await ticks();
  expect(g.started).toEqual(['s1', 'f1', 's2', 's3']);
  for (const n of ['s1', 's2', 's3']) g.open(n);
  await Promise.all(done);
  expect(g.maxActive).toBe(3);
});

test('a failing task frees its slot for the next one and rejects only its own caller', async () => {
  const lanes = twoLanes(1);
  const failed = lanes.run(true, () => Promise.reject(new Error('boom')));
  const next = lanes.run(false, async () => 'ran');
  await expect(failed).rejects.toThrow('boom');
  await expect(next).resolves.toBe('ran');
});
