// Holds what this event-loop turn writes to a socket until the turn's I/O callbacks are done, then sends it in
// one write. When the HTTP thread falls behind, several step reports arrive in one turn; without this every
// report costs every stream a syscall (Node only corks a response within one write call), and those syscalls
// are most of the thread's time per token. Nothing waits longer than the turn it was written in.
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
