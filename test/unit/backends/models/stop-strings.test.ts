// Stop strings in a stream: found across piece boundaries, held back while undecided, never emitted.
import { describe, expect, it } from "vitest";
import { StopStringMatcher } from "#backends/models/stop-strings.ts";

function feed(stops: string[], pieces: string[]) {
  const matcher = new StopStringMatcher(stops);
  const emitted: string[] = [];
  let stopped = false;
  for (const piece of pieces) {
    const result = matcher.push(piece);
    emitted.push(result.text);
    if (result.stopped) {
      stopped = true;
      break;
    }
  }
  if (!stopped) emitted.push(matcher.flush());
  return { emitted, text: emitted.join(""), stopped };
}

describe("stop strings", () => {
  it("passes text through untouched without stop strings", () => {
    expect(feed([], ["a", "b"])).toEqual({ emitted: ["a", "b", ""], text: "ab", stopped: false });
  });

  it("cuts before a stop string inside one piece", () => {
    expect(feed(["END"], ["hello END world"])).toMatchObject({ text: "hello ", stopped: true });
  });

  it("finds a stop string split across pieces and holds its start back meanwhile", () => {
    const result = feed(["</s>"], ["one <", "/", "s> two"]);
    expect(result).toMatchObject({ text: "one ", stopped: true });
    expect(result.emitted[0]).toBe("one ");
    expect(result.emitted[1]).toBe("");
  });

  it("releases held-back text once it can no longer become a stop string", () => {
    const result = feed(["STOP"], ["ab ST", "x"]);
    expect(result.emitted).toEqual(["ab ", "STx", ""]);
    expect(result.stopped).toBe(false);
  });

  it("flushes a trailing partial match at the end of generation", () => {
    expect(feed(["STOP"], ["end ST"])).toMatchObject({ emitted: ["end ", "ST"], stopped: false });
  });

  it("stops at the earliest of several stop strings", () => {
    expect(feed(["bb", "a"], ["xxbbya"])).toMatchObject({ text: "xx", stopped: true });
  });
});
