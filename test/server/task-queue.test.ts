import { describe, expect, it } from 'vitest';
import { QueueFullError, TaskQueue } from '../../src/server/task-queue.ts';

describe('TaskQueue', () => {
  it('runs tasks one at a time in arrival order', async () => {
    const q = new TaskQueue();
    const log: string[] = [];
    let active = 0;
    let maxActive = 0;
    const task = (name: string, ms: number) => q.run(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      active--;
      return name;
    });
    const out = await Promise.all([task('a', 5), task('b', 1), task('c', 3)]);
    expect(out).toEqual(['a', 'b', 'c']);
    expect(maxActive).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(q.pending).toBe(0);
    expect(q.completed).toBe(3);
  });

  it('goes on after a task fails', async () => {
    const q = new TaskQueue();
    const failed = q.run(() => { throw new Error('boom'); });
    const next = q.run(async () => 7);
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe(7);
  });

  it('refuses tasks beyond maxQueued with a 503 error', async () => {
    const q = new TaskQueue(2);
    const a = q.run(() => new Promise((r) => setTimeout(r, 5)));
    const b = q.run(async () => 1);
    const c = q.run(async () => 2);
    await expect(c).rejects.toBeInstanceOf(QueueFullError);
    await expect(c).rejects.toMatchObject({ status: 503 });
    await Promise.all([a, b]);
    await expect(q.run(async () => 3)).resolves.toBe(3);
  });
});
