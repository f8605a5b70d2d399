// Counters and histograms for the per-request path. prom-client's inc()/observe() validate and hash their label
// object on every call, even through labels(): with seven updates per request that was ~2 µs of the gateway's CPU.
// These keep one slot per label combination with plain number fields, so an update is a map lookup and a few
// additions; the registry still scrapes them (they implement prom-client's metric interface), and inc() and
// observe() read the same as prom-client's. The request path itself calls incWith()/observeWith(), which take the
// label values in order and skip the lookup for recently seen combinations. The metric bundles of the request path
// use them throughout; gauges, and metrics outside that path, stay plain prom-client.
import type { Metric, Registry } from "prom-client";

type Labels<L extends string> = Partial<Record<L, string | number>>;
type LabelValue = string | number | undefined;
/** A slot found by label values given in order, kept with those values for the next update to compare against. */
type Recent<Slot> = { slot: Slot; v0: LabelValue; v1: LabelValue; v2: LabelValue; v3: LabelValue };

/** How many label combinations the positional updates remember; beyond that they look slots up by label. */
const recentSlots = 8;

/** What get() returns: prom-client's own shape, which its Registry formats for /metrics. */
export type HotMetricData<L extends string> = {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  values: Array<{ labels: Labels<L> & { le?: number | string }; value: number; metricName?: string }>;
};

type Config<L extends string> = {
  name: string;
  help: string;
  labelNames?: readonly L[];
  registers?: Registry[];
};

/** Shared by both kinds: one slot per label combination, found through one map per label (no key string built). */
abstract class HotMetric<L extends string, Slot extends { labels: Labels<L> }> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly aggregator = "sum" as const;
  protected slots: Slot[] = [];
  #root = new Map<string | undefined, unknown>();
  #recent: Array<Recent<Slot>> = [];

  constructor(config: Config<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames ?? [];
    for (const registry of config.registers ?? []) registry.registerMetric(this as unknown as Metric<L>);
  }

  reset(): void {
    this.slots = [];
    this.#root.clear();
    this.#recent = [];
  }

  protected abstract newSlot(labels: Labels<L>): Slot;

  /**
   * The slot for label values given in labelNames order (at most four). On the request path the same few
   * combinations repeat, and comparing the values with the last few combinations' costs less than building a label
   * object and walking the maps: measured in place, label objects and map lookups were half of the cost of the ten
   * updates each request makes, which together cost ~5% of the gateway's CPU.
   */
  protected slotAt(v0: LabelValue, v1: LabelValue, v2: LabelValue, v3: LabelValue): Slot {
    const recent = this.#recent;
    for (let i = recent.length - 1; i >= 0; i--) {
      const r = recent[i]!;
      if (r.v0 === v0 && r.v1 === v1 && r.v2 === v2 && r.v3 === v3) return r.slot;
    }
    const names = this.labelNames;
    const values = [v0, v1, v2, v3];
    if (values.slice(names.length).some((value) => value !== undefined)) {
      throw new Error(`${this.name} has ${names.length} labels; more values were given`);
    }
    const labels: Labels<L> = {};
    for (let i = 0; i < names.length; i++) if (values[i] !== undefined) labels[names[i]!] = values[i];
    const slot = this.slotFor(labels);
    if (recent.length >= recentSlots) recent.shift();
    recent.push({ slot, v0, v1, v2, v3 });
    return slot;
  }

  /** Label names are checked when a combination is first seen; label values are compared as strings. */
  protected slotFor(labels: Labels<L> | undefined): Slot {
    const names = this.labelNames;
    let level = this.#root;
    for (let i = 0; i < names.length - 1; i++) {
      const value = labels?.[names[i]!];
      const key = value === undefined ? undefined : String(value);
      let next = level.get(key) as Map<string | undefined, unknown> | undefined;
      if (!next) {
        next = new Map();
        level.set(key, next);
      }
      level = next;
    }
    const last = names.length ? labels?.[names[names.length - 1]!] : undefined;
    const key = last === undefined ? undefined : String(last);
    let slot = level.get(key) as Slot | undefined;
    if (!slot) {
      slot = this.newSlot(ownLabels(names, labels));
      level.set(key, slot);
      this.slots.push(slot);
    }
    return slot;
  }
}

function ownLabels<L extends string>(names: readonly L[], labels: Labels<L> | undefined): Labels<L> {
  const own: Labels<L> = {};
  for (const [name, value] of Object.entries(labels ?? {}) as Array<[L, string | number]>) {
    if (!names.includes(name)) throw new Error(`Added label "${name}" is not included in initial labelset`);
    if (value !== undefined) own[name] = value;
  }
  return own;
}

type CounterSlot<L extends string> = { labels: Labels<L>; value: number };

export class HotCounter<L extends string = string> extends HotMetric<L, CounterSlot<L>> {
  readonly type = "counter" as const;

  inc(labels?: Labels<L> | number, value = 1): void {
    if (typeof labels === "number") this.slotFor(undefined).value += labels;
    else this.slotFor(labels).value += value;
  }

  /** inc() for the request path: `value`, then the label values in labelNames order (see slotAt). */
  incWith(value: number, v0?: LabelValue, v1?: LabelValue, v2?: LabelValue, v3?: LabelValue): void {
    this.slotAt(v0, v1, v2, v3).value += value;
  }

  async get(): Promise<HotMetricData<L>> {
    const values = this.slots.map(({ labels, value }) => ({ labels, value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  protected newSlot(labels: Labels<L>): CounterSlot<L> {
    return { labels, value: 0 };
  }
}

type HistogramSlot<L extends string> = { labels: Labels<L>; counts: Float64Array; sum: number; count: number };

export class HotHistogram<L extends string = string> extends HotMetric<L, HistogramSlot<L>> {
  readonly type = "histogram" as const;
  readonly buckets: readonly number[];

  constructor(config: Config<L> & { buckets: readonly number[] }) {
    super(config);
    this.buckets = [...config.buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels<L> | number, value?: number): void {
    if (typeof labels === "number") record(this.slotFor(undefined), this.buckets, labels);
    else record(this.slotFor(labels), this.buckets, value ?? Number.NaN);
  }

  /** observe() for the request path: `value`, then the label values in labelNames order (see slotAt). */
  observeWith(value: number, v0?: LabelValue, v1?: LabelValue, v2?: LabelValue, v3?: LabelValue): void {
    record(this.slotAt(v0, v1, v2, v3), this.buckets, value);
  }

  /** The same series prom-client's Histogram reports: cumulative buckets with `le`, then +Inf, sum and count. */
  async get(): Promise<HotMetricData<L>> {
    const values: HotMetricData<L>["values"] = [];
    for (const { labels, counts, sum, count } of this.slots) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: "+Inf", ...labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  protected newSlot(labels: Labels<L>): HistogramSlot<L> {
    return { labels, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
  }
}

function record<L extends string>(slot: HistogramSlot<L>, buckets: readonly number[], value: number): void {
  if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
  slot.sum += value;
  slot.count += 1;
  for (let i = 0; i < buckets.length; i++) {
    if (value <= buckets[i]!) {
      slot.counts[i] = slot.counts[i]! + 1;
      return;
    }
  }
}
