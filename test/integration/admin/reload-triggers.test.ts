// The other two reload triggers end to end: SIGHUP to a real `node gateway/main.ts` child process, and the
// config-file watch surviving a Kubernetes-style ConfigMap symlink swap; bad files are refused and counted.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ConfigInput } from "#config/schema.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import {
  adminConfig,
  adminToken,
  configVersion,
  metricValue,
  startAdminGateway,
  waitFor,
  writeConfig,
} from "./support.ts";

let node: FakeNode;
let dir: string;

beforeAll(async () => {
  node = await startFakeNode("n");
  dir = await mkdtemp(join(tmpdir(), "switchyard-reload-"));
});
afterAll(async () => {
  await node.close();
  await rm(dir, { recursive: true, force: true });
});

const models = (...ids: string[]): ConfigInput => ({ nodes: [{ id: "n", url: node.url, models: ids }] });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function reloadCount(baseUrl: string, trigger: string, outcome: string): Promise<number> {
  const page = await (await fetch(`${baseUrl}/metrics`)).text();
  return metricValue(page, "switchyard_config_reloads_total", { trigger, outcome }) ?? Number.NaN;
}

describe("SIGHUP", () => {
  let child: ChildProcess;
  let base: string;
  let admin: string;
  let file: string;
  let stderr = "";

  beforeAll(async () => {
    const [port, adminPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    admin = `http://127.0.0.1:${adminPort}`;
    file = join(dir, "sighup.yaml");
    // The file watch is off so that only the signal can cause the reload.
    const listeners = {
      server: { listen: { host: "127.0.0.1", port } },
      admin: {
        enabled: true,
        token: adminToken,
        listen: { host: "127.0.0.1", port: adminPort },
        watchConfigFile: false,
      },
    };
    const write = (input: ConfigInput) => writeFile(file, stringify({ ...adminConfig(input), ...listeners }));
    await write(models("m1"));
    child = spawn(process.execPath, ["gateway/main.ts", "--config", file], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, SWITCHYARD__LOGGING__LEVEL: "warn" },
    });
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code, signal) => (stderr += `\nexited: ${code ?? signal}`));
    await waitFor(
      () =>
        configVersion(admin).then(
          (v) => v === 1,
          () => false,
        ),
      "the child gateway to start",
      15_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${stderr}`);
    });
    await write(models("m1", "m2"));
  });
  afterAll(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    // SIGTERM drains and exits; SIGKILL only if that ever hangs, so no test leaves a gateway behind.
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  });

  it("re-reads the config file", async () => {
    child.kill("SIGHUP");
    await waitFor(async () => (await configVersion(admin)) === 2, "version 2 after SIGHUP");
    expect(await reloadCount(base, "sighup", "applied")).toBe(1);
    const list = (await (
      await fetch(`${base}/v1/models`, { headers: { authorization: "Bearer sk-test-0123456789" } })
    ).json()) as { data: Array<{ id: string }> };
    expect(list.data.map((m) => m.id)).toEqual(["m1", "m2"]);
  });

  it("refuses an invalid file and keeps running the old config", async () => {
    await writeFile(file, "nodes: [{ id: n, url: nope, models: [m1] }]\n");
    child.kill("SIGHUP");
    await waitFor(async () => (await reloadCount(base, "sighup", "rejected")) === 1, "a rejected SIGHUP reload");
    expect(await configVersion(admin)).toBe(2);
    expect(child.exitCode).toBeNull();
  });
});

describe("config file watch", () => {
  it("reloads after a Kubernetes ConfigMap symlink swap, and refuses a bad file", async () => {
    // The kubelet's layout: config.yaml -> ..data/config.yaml, ..data -> ..<timestamp>/ (swapped by rename).
    const mount = join(dir, "configmap");
    await mkdir(join(mount, "..v1"), { recursive: true });
    await writeConfig(join(mount, "..v1", "config.yaml"), models("m1"));
    await symlink("..v1", join(mount, "..data"));
    await symlink(join("..data", "config.yaml"), join(mount, "config.yaml"));
    const gateway = await startAdminGateway(models("m1"), join(mount, "config.yaml"));
    // What the kubelet does on a ConfigMap update: a new timestamped dir, a new link, renamed over `..data`.
    const swap = async (version: string, text: string) => {
      await mkdir(join(mount, version));
      await writeFile(join(mount, version, "config.yaml"), text);
      await symlink(version, join(mount, "..data_tmp"));
      await rename(join(mount, "..data_tmp"), join(mount, "..data"));
    };
    try {
      await swap("..v2", stringify(adminConfig(models("m1", "m3"))));
      await rm(join(mount, "..v1"), { recursive: true });
      await waitFor(() => gateway.runtime.snapshot.version === 2, "version 2 after the ConfigMap swap");
      expect(gateway.runtime.models()).toEqual(["m1", "m3"]);
      expect(await reloadCount(gateway.url, "file", "applied")).toBe(1);

      await swap("..v3", "routing: { strategy: fastest }\n");
      await waitFor(async () => (await reloadCount(gateway.url, "file", "rejected")) === 1, "a rejected file reload");
      expect(gateway.runtime.snapshot.version).toBe(2);
      expect(gateway.runtime.models()).toEqual(["m1", "m3"]);
    } finally {
      await gateway.close();
    }
  });
});
