// Writes to a socket within one event-loop turn are held and leave together once the turn's I/O is done.
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { afterEach, expect, it } from "vitest";
import { corkForTurn } from "#gateway/http/turn-cork.ts";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

async function socketPair(): Promise<{ sender: Socket; received: () => string }> {
  let text = "";
  const server = createServer((peer) => peer.on("data", (d) => (text += d.toString())));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const sender = connect((server.address() as { port: number }).port, "127.0.0.1");
  await once(sender, "connect");
  cleanup.push(() => {
    sender.destroy();
    server.close();
  });
  return { sender, received: () => text };
}

it("holds a socket's writes until the turn's I/O is done, then sends them in one go", async () => {
  const { sender, received } = await socketPair();
  corkForTurn(sender);
  sender.write("a");
  corkForTurn(sender);
  sender.write("b");
  expect(sender.writableCorked).toBe(1);
  expect(sender.writableLength).toBe(2);
  await new Promise((resolve) => setImmediate(resolve));
  expect(sender.writableCorked).toBe(0);
  await expect.poll(received).toBe("ab");
});

it("ignores a response that has no socket any more", () => {
  expect(() => corkForTurn(null)).not.toThrow();
});
