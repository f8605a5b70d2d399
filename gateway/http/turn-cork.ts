// Holds what this event-loop turn writes to a socket until the turn's I/O callbacks are done, then sends it in
// one write. Stream relays (the node's step reports, the gateway's events from a node) often write several
// chunks to a socket in one turn; without this each costs a syscall (Node only corks a response within one
// write call), and those syscalls are most of a relay's time per chunk. Nothing waits longer than its turn.
import type { Socket } from "node:net";

const corked = new Set<Socket>();

export function corkForTurn(socket: Socket | null): void {
  if (!socket || corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (corked.size === 1) setImmediate(uncorkAll);
}

function uncorkAll(): void {
  for (const socket of corked) socket.uncork();
  corked.clear();
}
