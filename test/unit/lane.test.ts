import { Lane } from '../../src/util/lane';

/** Work that runs until its gate is opened; `started` lists what began, in order. */
function gated() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const work =
    (name: string, fail = false) =>
    async () => {
      started.push(name);
      await new Promise<void>((resolve) => gates.set(name, resolve));
      if (fail) throw new Error(`${name} failed`);
    };
  const open = async (name: string) => {
    gates.get(name)?.();
    // Let the lane's continuations run.
    for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
  };
  return { started, work, open };
}

describe('Lane', () => {
  it('runs work `width` at a time, in the order added', async () => {
    const { started, work, open } = gated();
    const lane = new Lane(2, 10, () => {});
    for (const name of ['a', 'b', 'c']) await lane.add(work(name));
    expect(started).toEqual(['a', 'b']);
    expect(lane.size).toBe(3);
    await open('b');
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('add waits while the backlog is full and goes on, in order, once there is room', async () => {
    const { started, work, open } = gated();
    const lane = new Lane(1, 1, () => {});
    await lane.add(work('a'));
    await lane.add(work('b'));
    let added = false;
    const adding = lane.add(work('c')).then(() => {
      added = true;
    });
    await open('nothing');
    expect(added).toBe(false);
    // Later work waits behind it, however the room frees up: first come, first served.
    const later = lane.add(work('d'));
    await open('a');
    await adding;
    expect(added).toBe(true);
    expect(started).toEqual(['a', 'b']);
    await open('b');
    await later;
    expect(started).toEqual(['a', 'b', 'c']);
    await open('c');
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reports work that fails and carries on; idle resolves when all is done', async () => {
    const { started, work, open } = gated();
    const errors: unknown[] = [];
    const lane = new Lane(1, 5, (error) => errors.push(error));
    await lane.add(work('a', true));
    await lane.add(work('b'));
    let idle = false;
    const waiting = lane.idle().then(() => {
      idle = true;
    });
    await open('a');
    expect(errors).toEqual([new Error('a failed')]);
    expect(started).toEqual(['a', 'b']);
    expect(idle).toBe(false);
    await open('b');
    await waiting;
    expect(lane.size).toBe(0);
    await expect(new Lane(1, 1, () => {}).idle()).resolves.toBeUndefined();
  });
});
