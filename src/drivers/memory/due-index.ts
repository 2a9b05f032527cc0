interface Entry {
  at: number;
  id: string;
}

const before = (a: Entry, b: Entry) => a.at < b.at || (a.at === b.at && a.id < b.id);

/**
 * Per-queue min-heaps of (due time, id), so a reserve takes the next due jobs in O(log n) instead
 * of scanning and sorting every job. Entries are never updated in place: whoever moves a job's due
 * time schedules a new entry, and `current(id, at)` tells a live entry from a stale one when it
 * reaches the top.
 */
export class DueIndex {
  private readonly heaps = new Map<string, Entry[]>();
  private size = 0;

  schedule(queue: string, at: number, id: string): void {
    let heap = this.heaps.get(queue);
    if (!heap) {
      heap = [];
      this.heaps.set(queue, heap);
    }
    heap.push({ at, id });
    this.size += 1;
    siftUp(heap, heap.length - 1);
  }

  /** The earliest live entry of a queue, dropping stale ones on the way; null when none. */
  peek(queue: string, current: (id: string, at: number) => boolean): Entry | null {
    const heap = this.heaps.get(queue);
    while (heap && heap.length > 0) {
      const top = heap[0]!;
      if (current(top.id, top.at)) return top;
      this.pop(heap);
    }
    return null;
  }

  /** Remove the top entry of a queue (the one peek returned). */
  take(queue: string): void {
    const heap = this.heaps.get(queue);
    if (heap && heap.length > 0) this.pop(heap);
  }

  /** Stale entries outnumber the live ones: rebuild from the jobs that exist. */
  needsRebuild(liveJobs: number): boolean {
    return this.size > 2 * liveJobs + 1024;
  }

  rebuild(jobs: Iterable<{ queue: string; at: number; id: string }>): void {
    this.heaps.clear();
    this.size = 0;
    for (const job of jobs) this.schedule(job.queue, job.at, job.id);
  }

  private pop(heap: Entry[]): void {
    const last = heap.pop()!;
    this.size -= 1;
    if (heap.length === 0) return;
    heap[0] = last;
    siftDown(heap, 0);
  }
}

function siftUp(heap: Entry[], index: number): void {
  const entry = heap[index]!;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (!before(entry, heap[parent]!)) break;
    heap[index] = heap[parent]!;
    index = parent;
  }
  heap[index] = entry;
}

function siftDown(heap: Entry[], index: number): void {
  const entry = heap[index]!;
  for (;;) {
    const left = 2 * index + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
    if (!before(heap[child]!, entry)) break;
    heap[index] = heap[child]!;
    index = child;
  }
  heap[index] = entry;
}
