// The deployment files agree with the code and with each other: every gateway config in them validates, the
// secrets it interpolates are provided, probes hit the real endpoints on the real ports, ConfigMaps are
// mounted as directories (so the file watch sees updates), and every node the gateway is told about exists
// and serves the models the gateway expects of it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { parseConfig } from "#config/load.ts";

type Container = {
  name: string;
  image: string;
  args?: string[];
  env?: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
  livenessProbe?: { httpGet?: { path: string; port: string }; tcpSocket?: { port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  ports?: Array<{ name: string; containerPort: number }>;
};
type Workload = {
  kind: string;
  metadata: { name: string };
  spec: {
    replicas?: number;
    template: { spec: { containers: Container[]; volumes?: Array<{ name: string; configMap?: { name: string } }> } };
  };
};
type Doc = {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

const patterns = ["central", "sidecar"];
const load = (path: string): Doc[] => parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJSON() as Doc);
/** Every `${NAME}` without a default: the variables a config needs from its environment. */
const requiredVars = (text: string) => [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
/** `--model id=path` pairs of a node command line. */
const servedModels = (args: string[]) => args.flatMap((a, i) => (args[i - 1] === "--model" ? [a.split("=")[0]!] : []));
const portOf = (c: Container, name: string) => c.ports?.find((p) => p.name === name)?.containerPort;
/** A distinct stand-in value per variable (API keys must be unique and at least 8 characters). */
const fakeEnv = (names: string[]) =>
  Object.fromEntries(names.map((name) => [name, `${name.toLowerCase()}-0123456789abcdef`]));

describe.each(patterns)("deploy/k8s/%s", (pattern) => {
  const dir = join("deploy/k8s", pattern);
  const kustomization = parseYaml(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as {
    resources: string[];
    images: Array<{ name: string }>;
  };
  const docs = kustomization.resources.flatMap((file) => load(join(dir, file)));
  const secret = load(join(dir, "secret.example.yaml"))[0]!;
  const workloads = docs.filter((d): d is Doc & Workload => d.kind === "Deployment" || d.kind === "StatefulSet");
  const configMaps = new Map(
    docs.filter((d) => d.kind === "ConfigMap").map((d) => [d.metadata.name, d.data?.["config.yaml"] ?? ""]),
  );

  const gateways = workloads.flatMap((w) =>
    w.spec.template.spec.containers
      .filter((c) => c.volumeMounts?.some((m) => m.mountPath === "/etc/switchyard"))
      .map((c) => {
        const mount = c.volumeMounts!.find((m) => m.mountPath === "/etc/switchyard")!;
        const volume = w.spec.template.spec.volumes!.find((v) => v.name === mount.name)!;
        return { workload: w, container: c, mount, text: configMaps.get(volume.configMap!.name)! };
      }),
  );
  const nodeContainers = workloads.flatMap((w) =>
    w.spec.template.spec.containers
      .filter((c) => c.args?.[0] === "backends/main.ts")
      .map((c) => ({ workload: w, container: c })),
  );

  it("runs a gateway whose config validates, with every secret it interpolates provided", () => {
    expect(gateways.length).toBeGreaterThan(0);
    for (const { container, mount, text } of gateways) {
      expect(mount.subPath).toBeUndefined();
      const env = fakeEnv((container.env ?? []).map((e) => e.name));
      for (const name of requiredVars(text)) expect(Object.keys(env), `${container.name} env`).toContain(name);
      for (const e of container.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) expect(Object.keys(secret.stringData ?? {}), ref.key).toContain(ref.key);
      }
      const config = parseConfig(parseYaml(text), pattern, env);
      expect(portOf(container, "http")).toBe(config.server.listen.port);
      expect(container.livenessProbe?.httpGet?.path).toBe("/healthz");
      expect(container.readinessProbe?.httpGet?.path).toBe("/readyz");
    }
  });

  it("runs nodes that serve real model directories on the port their probes check", () => {
    expect(nodeContainers.length).toBeGreaterThan(0);
    for (const { container } of nodeContainers) {
      const args = container.args!;
      expect(existsSync(args[0]!)).toBe(true);
      for (const model of args.filter((_, i) => args[i - 1] === "--model"))
        expect(existsSync(model.split("=")[1]!)).toBe(true);
      const port = Number(args[args.indexOf("--port") + 1]);
      const probePort = container.readinessProbe!.httpGet!.port;
      expect(portOf(container, probePort)).toBe(port);
      expect(container.readinessProbe!.httpGet!.path).toBe("/health");
      // Liveness is a TCP check on the same port: /health answers 503 while a node drains, which must not
      // get the container killed half-way through its drain.
      expect(container.livenessProbe?.httpGet).toBeUndefined();
      expect(portOf(container, container.livenessProbe!.tcpSocket!.port)).toBe(port);
      expect(args[args.indexOf("--host") + 1]).toBe("0.0.0.0");
    }
  });

  it("points the gateway only at nodes that exist and serve what it expects", () => {
    for (const { text } of gateways) {
      const config = parseConfig(parseYaml(text), pattern, fakeEnv(requiredVars(text)));
      for (const node of config.nodes) {
        const host = new URL(node.url).hostname;
        const owner = findNodeWorkload(host);
        expect(owner, `${node.id} → ${host}`).toBeDefined();
        const models = servedModels(owner!.container.args!);
        expect(models, node.id).toEqual(expect.arrayContaining(node.models));
      }
    }
  });

  it("names only images the kustomization sets", () => {
    const images = kustomization.images.map((i) => i.name);
    for (const w of workloads)
      for (const c of w.spec.template.spec.containers)
        if (c.image.startsWith("switchyard")) expect(images).toContain(c.image);
  });

  /** 127.0.0.1: the node container in the same pod; `sts-N.svc`: pod N of a StatefulSet; else a Service. */
  function findNodeWorkload(host: string) {
    if (host === "127.0.0.1") return nodeContainers.find((n) => gateways.some((g) => g.workload === n.workload));
    const pod = /^(.+)-(\d+)\.(.+)$/.exec(host);
    if (pod) {
      const owner = workloads.find(
        (w) =>
          w.kind === "StatefulSet" &&
          w.metadata.name === pod[1] &&
          (w.spec as { serviceName?: string }).serviceName === pod[3],
      );
      if (!owner || Number(pod[2]) >= (owner.spec.replicas ?? 1)) return undefined;
      return nodeContainers.find((n) => n.workload === owner);
    }
    const service = docs.find((d) => d.kind === "Service" && d.metadata.name === host) as
      | { spec?: { selector?: Record<string, string> } }
      | undefined;
    const selector = service?.spec?.selector?.["app.kubernetes.io/name"];
    return nodeContainers.find((n) => n.workload.metadata.name === selector);
  }
});

describe("deploy/compose.yaml", () => {
  const compose = parseYaml(readFileSync("deploy/compose.yaml", "utf8"), { merge: true }) as {
    services: Record<string, { command?: string[]; volumes?: string[]; environment?: Record<string, string> }>;
  };
  const text = readFileSync("deploy/compose/config.yaml", "utf8");
  const config = parseConfig(parseYaml(text), "compose", {});

  it("mounts the gateway's config directory, so saving the file reloads it", () => {
    expect(compose.services.gateway!.volumes).toContain("./compose:/etc/switchyard:ro");
    expect(config.admin.enabled && config.admin.watchConfigFile).toBe(true);
  });

  it("starts every node the gateway config names, serving the models it expects", () => {
    for (const node of config.nodes) {
      const service = compose.services[new URL(node.url).hostname];
      expect(service?.command, node.id).toBeDefined();
      expect(servedModels(service!.command!)).toEqual(expect.arrayContaining(node.models));
      for (const model of service!.command!.filter((_, i, all) => all[i - 1] === "--model"))
        expect(existsSync(model.split("=")[1]!)).toBe(true);
      expect(service!.environment?.HEALTHCHECK_URL).toBe(`http://127.0.0.1:${new URL(node.url).port}/health`);
    }
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync("Dockerfile", "utf8");

  it("copies sources that exist and runs entry points that exist", () => {
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+) /gm))
      expect(existsSync(source!), source).toBe(true);
    expect(dockerfile).toMatch(
      /CMD \["--max-semi-space-size=32", "gateway\/main\.ts", "--config", "\/etc\/switchyard\/config\.yaml"\]/,
    );
    expect(existsSync("gateway/main.ts")).toBe(true);
    expect(dockerfile).toContain("HEALTHCHECK_URL=http://127.0.0.1:8080/healthz");
    expect(dockerfile).toMatch(/^USER 10001/m);
  });

  it("ignores nothing the image copies", () => {
    const ignored = readFileSync(".dockerignore", "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+) /gm))
      expect(ignored).not.toContain(source!.replace(/\/$/, ""));
    expect(readdirSync("deploy")).toContain("compose.yaml");
  });
});
