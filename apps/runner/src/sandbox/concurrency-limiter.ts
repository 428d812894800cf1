/** Runs at most `limit` tasks at once; the rest wait in order. */
export class ConcurrencyLimiter {
  private active = 0;
  private waiting: Array<() => void> = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const begin = () => {
        this.active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.active--;
            this.beginNext();
          });
      };
      if (this.active < this.limit) begin();
      else this.waiting.push(begin);
    });
  }

  get pending(): number {
    return this.waiting.length - this.head;
  }

  private beginNext(): void {
    if (this.head >= this.waiting.length) return;
    const next = this.waiting[this.head++];
    // An index instead of shift(): 10,000 queued starts must not cost O(n) each.
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    }
    next();
  }
}
