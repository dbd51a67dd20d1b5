/**
 * A first-in first-out queue that runs one task at a time. The tfjs backend, its tensors and the loaded models are
 * shared by every request, so every compute call goes through one queue and never overlaps another.
 */
import { PinplaceError } from '../errors.ts';

/** The queue is full: the server answers 503 and the client may retry. */
export class QueueFullError extends PinplaceError {
  constructor(limit: number) {
    super(`the server is busy: ${limit} requests are already waiting; retry shortly`, 'busy', 503);
  }
}

export class TaskQueue {
  /** Tasks waiting or running. */
  private depth = 0;
  private tail: Promise<unknown> = Promise.resolve();
  /** Tasks finished since creation. */
  completed = 0;

  /** @param maxQueued tasks allowed to wait or run at once; more are refused with QueueFullError. */
  constructor(readonly maxQueued = Infinity) {}

  /** Number of tasks waiting or running. */
  get pending(): number {
    return this.depth;
  }

  /** Run `task` after every task queued before it has settled; resolves or rejects with its result. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    if (this.depth >= this.maxQueued) return Promise.reject(new QueueFullError(this.maxQueued));
    this.depth++;
    const result = this.tail.then(() => task());
    this.tail = result.then(
      () => this.settle(),
      () => this.settle(),
    );
    return result;
  }

  private settle(): void {
    this.depth--;
    this.completed++;
  }
}
