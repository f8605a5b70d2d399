// Deadline timers for request budgets. Every request arms one and nearly every request disarms it again before it
// fires. A Node Timeout per request costs an object with async-hooks bookkeeping on arming and a list unlink with
// store cleanup on clearing (about 1% of the gateway's CPU per request). Budgets of the same length expire in the
// order they were armed, so each length gets one list, kept in arming order, and one Node timer for its head:
// arming appends, disarming unlinks, both without allocating a timer. Node keeps its own timers the same way.

/** One armed deadline; `expire` runs once if the deadline passes before it is disarmed. */
export class Deadline {
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  list: DeadlineList | undefined = undefined;
  at = 0;
  readonly expire: () => void;

  constructor(expire: () => void) {
    this.expire = expire;
  }
}

class DeadlineList {
  head: Deadline | undefined = undefined;
  tail: Deadline | undefined = undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #ms: number;
  readonly #onEmpty: () => void;

  constructor(ms: number, onEmpty: () => void) {
    this.#ms = ms;
    this.#onEmpty = onEmpty;
  }

  append(deadline: Deadline, now: number): void {
    deadline.at = now + this.#ms;
    deadline.list = this;
    deadline.prev = this.tail;
    deadline.next = undefined;
    if (this.tail) this.tail.next = deadline;
    else this.head = deadline;
    this.tail = deadline;
    // A timer already armed fires no later than this deadline (its head expires first) and then re-arms itself.
    if (!this.#timer) this.#arm(this.#ms);
  }

  unlink(deadline: Deadline): void {
    if (deadline.prev) deadline.prev.next = deadline.next;
    else this.head = deadline.next;
    if (deadline.next) deadline.next.prev = deadline.prev;
    else this.tail = deadline.prev;
    deadline.prev = deadline.next = deadline.list = undefined;
  }

  #arm(ms: number): void {
    // Unref'd: it may outlive every deadline it was armed for, and must not hold a closing process open for that
    // long. A request in flight keeps the process alive through its sockets anyway.
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(1, Math.ceil(ms))).unref();
  }

  #onTimer(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (let head = this.head; head && head.at <= now; head = this.head) {
      this.unlink(head);
      head.expire();
    }
    if (this.head) this.#arm(this.head.at - performance.now());
    else this.#onEmpty();
  }
}

/** The lists by budget length; one that empties is dropped, so client-chosen lengths cannot accumulate. */
const lists = new Map<number, DeadlineList>();

/** Arms `deadline` to expire `ms` from now (re-arming it if it was armed). */
export function armDeadline(deadline: Deadline, ms: number): void {
  disarmDeadline(deadline);
  let list = lists.get(ms);
  if (!list) {
    list = new DeadlineList(ms, () => {
      if (lists.get(ms) === list && !list!.head) lists.delete(ms);
    });
    lists.set(ms, list);
  }
  list.append(deadline, performance.now());
}

/** Disarms `deadline`; harmless if it is not armed or already expired. */
export function disarmDeadline(deadline: Deadline): void {
  deadline.list?.unlink(deadline);
}

/** How many budget lengths have a list right now (for tests: lists must not outlive their deadlines). */
export function deadlineListCount(): number {
  return lists.size;
}
