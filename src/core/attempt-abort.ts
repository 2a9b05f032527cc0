/**
 * The abort state of one attempt. Node's AbortController costs several microseconds to make (an
 * EventTarget re-prototyped per instance), and a no-op job would pay for two of them: so the
 * AbortSignal a handler sees is made only when the handler asks for it, already aborted if the
 * attempt was. The worker and runner listen through plain callbacks.
 */
export class AttemptAbort {
  aborted = false;
  reason: unknown = undefined;
  private controller: AbortController | undefined;
  private listeners: (() => void)[] | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    for (const listener of listeners ?? []) listener();
  }

  /** Call `listener` once on abort (at once if already aborted); returns a function that removes it. */
  onAbort(listener: () => void): () => void {
    if (this.aborted) {
      listener();
      return () => {};
    }
    this.listeners ??= [];
    this.listeners.push(listener);
    return () => {
      const at = this.listeners?.indexOf(listener) ?? -1;
      if (at >= 0) this.listeners!.splice(at, 1);
    };
  }
}
