/** A monotonically increasing count, named as a Prometheus exporter would name it. */
export class Counter {
  #value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(by = 1): void {
    this.#value += by;
  }
  get value(): number {
    return this.#value;
  }
}

/** The process's counters. Kept on deps so a later /metrics endpoint only has to read them. */
export type Metrics = {
  guessBudgetDrained: Counter;
};

export function createMetrics(): Metrics {
  return {
    guessBudgetDrained: new Counter('uketori_guess_budget_drained_total', "Times a pickup's shared guess budget drained into its reserve (at most once an hour per pickup)"),
  };
}
