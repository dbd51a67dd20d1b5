import { describe, expect, it } from 'vitest';
import { UndoStack } from '../../viewer/src/undo-stack.ts';

describe('UndoStack', () => {
  it('gives snapshots back last first, as copies', () => {
    const s = new UndoStack<{ pins: number[] }>();
    const a = { pins: [1] };
    s.push(a).push({ pins: [1, 2] });
    a.pins.push(99);
    expect(s.pop()).toEqual({ pins: [1, 2] });
    expect(s.pop()).toEqual({ pins: [1] });
    expect(s.pop()).toBeUndefined();
  });

  it('keeps at most `limit` snapshots, dropping the oldest', () => {
    const s = new UndoStack<number>(3);
    for (let i = 0; i < 5; i++) s.push(i);
    expect(s.size).toBe(3);
    expect([s.pop(), s.pop(), s.pop(), s.pop()]).toEqual([4, 3, 2, undefined]);
  });
});
