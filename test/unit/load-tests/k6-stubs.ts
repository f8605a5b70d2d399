// Loaded with `node --import` to evaluate the k6 scripts outside k6: the `k6` modules resolve to small stand-ins
// that record which custom metrics the scripts create, and `__ENV` is the process environment.
import { registerHooks } from "node:module";

const stubs: Record<string, string> = {
  k6: "export const check = () => true; export const sleep = () => {}; export const group = (_n, f) => f();",
  "k6/http":
    "export default { post() { throw new Error('no HTTP outside k6'); }, get() { throw new Error('no HTTP outside k6'); } };",
  "k6/metrics": [
    "const made = (globalThis.__k6Metrics ??= []);",
    "const kind = (type) => class { constructor(name, isTime = false) { made.push({ type, name, isTime }); } add() {} };",
    "export const Trend = kind('trend'); export const Rate = kind('rate'); export const Counter = kind('counter'); export const Gauge = kind('gauge');",
  ].join("\n"),
};

(globalThis as { __ENV?: NodeJS.ProcessEnv }).__ENV = process.env;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const source = stubs[specifier];
    if (source !== undefined) return { url: `data:text/javascript,${encodeURIComponent(source)}`, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
