/** A bounded undo stack of snapshots (the viewer keeps boxes, pins and the chosen sample in them). */
export class UndoStack<T> {
  private readonly items: T[] = [];

  /** @param limit most snapshots kept [50] */
  constructor(readonly limit = 50) {}

  get size(): number {
    return this.items.length;
  }

  /** Remember `snapshot` as the state to go back to. */
  push(snapshot: T): this {
    this.items.push(structuredClone(snapshot));
    if (this.items.length > this.limit) this.items.shift();
    return this;
  }

  /** The last snapshot, removed; undefined when there is none. */
  pop(): T | undefined {
    return this.items.pop();
  }

  clear(): this {
    this.items.length = 0;
    return this;
  }
}
