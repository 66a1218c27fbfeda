// The Kubernetes manifests under deploy/kubernetes/: every document valid against the Kubernetes API schema
// (kubernetes-models), the kustomization complete, references resolvable, and every probe pointed at a port and path
// the real services serve, with the meaning the probe needs (checked on the real app, in-process, with a stub engine
// standing in for the model so loading can be held and released).
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from "kubernetes-models/v1";
import request from "supertest";
import { parseAllDocuments } from "yaml";
import { StubEngine } from "../../bench/StubEngine.js";
import { loadCoreConfig } from "../../services/core/config.js";
import { type Core, createCore } from "../../services/core/createCore.js";
import { createApp as createWebApp } from "../../services/web/app.js";
import { loadWebConfig } from "../../services/web/config.js";
import { ResilientClient } from "../../services/web/http/index.js";
import { createLogger } from "../../shared/logging/logger.js";
import { freePort, REPO_ROOT, tempDir } from "../support/processes.js";

const DIR = path.join(REPO_ROOT, "deploy/kubernetes");
/** Peak RSS `npm run bench` measured with the mid model at the defaults; the cores' memory request must cover it. */
const BENCH_PEAK_RSS_MIB = 840;

interface Manifest {
  file: string;
  doc: Record<string, unknown>;
}

type Validating = new (data: never) => { validate(): void };
const MODELS: Record<string, Validating> = {
  "apps/v1/Deployment": Deployment as unknown as Validating,
  "apps/v1/StatefulSet": StatefulSet as unknown as Validating,
  "batch/v1/Job": Job as unknown as Validating,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget as unknown as Validating,
  "v1/ConfigMap": ConfigMap as unknown as Validating,
  "v1/Namespace": Namespace as unknown as Validating,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim as unknown as Validating,
  "v1/Secret": Secret as unknown as Validating,
  "v1/Service": Service as unknown as Validating,
};

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

function load(file: string): Record<string, unknown>[] {
  return parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join("; ")}`);
    return d.toJS() as Record<string, unknown>;
  });
}

const files = yamlFiles(DIR);
const kustomizationFile = path.join(DIR, "kustomization.yaml");
const kustomization = load(kustomizationFile)[0] as {
  resources: string[];
  namespace: string;
  images: { name: string; newName: string; newTag: string }[];
  replicas: { name: string; count: number }[];
};
const manifests: Manifest[] = files
  .filter((f) => f !== kustomizationFile)
  .flatMap((file) => load(file).map((doc) => ({ file: path.relative(DIR, file), doc })));

// Shapes of the fields read below (the schema validation above vouches for the rest).
interface Probe {
  httpGet?: { path: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; emptyDir?: object; persistentVolumeClaim?: { claimName: string } }[];
}
interface Workload {
  kind: string;
  metadata: { name: string };
  spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

const kind = (k: string) => manifests.filter((m) => m.doc.kind === k).map((m) => m.doc);
const workloads = [...kind("Deployment"), ...kind("StatefulSet")] as unknown as Workload[];
const gaiaWorkloads = workloads.filter((w) => w.spec.template.spec.containers.some((c) => c.image === "gaia-core"));
const coreWorkloads = gaiaWorkloads.filter((w) => w.metadata.name.startsWith("gaia-core-"));
const gatewayWorkloads = gaiaWorkloads.filter((w) => w.metadata.name === "gaia-web");
const configMaps = new Map(
  (kind("ConfigMap") as { metadata: { name: string }; data: Record<string, string> }[]).map((c) => [
    c.metadata.name,
    c.data,
  ]),
);

/** The environment a container gets from its ConfigMaps and literal values (secrets left out: they are optional). */
function containerEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const data = from.configMapRef ? configMaps.get(from.configMapRef.name) : undefined;
    if (!data) throw new Error(`${container.name}: ConfigMap ${from.configMapRef?.name} not found`);
    Object.assign(env, data);
  }
  for (const variable of container.env ?? []) if (variable.value !== undefined) env[variable.name] = variable.value;
  return env;
}

function probePort(container: Container, probe: Probe): number {
  const port = probe.httpGet?.port;
  if (typeof port === "number") return port;
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`${container.name}: probe port ${String(port)} is not a named container port`);
  return named.containerPort;
}

const mebibytes = (quantity: string) => {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected quantity ${quantity}`);
  return Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
};

describe("Kubernetes manifests", () => {
  it("are all valid against the Kubernetes API schema of their kind", () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const { file, doc } of manifests) {
      const key = `${String(doc.apiVersion)}/${String(doc.kind)}`;
      const Model = MODELS[key];
      if (!Model) throw new Error(`${file}: no schema model for ${key}`);
      expect(() => new Model(doc as never).validate()).not.toThrow();
    }
  });

  it("reject what the schema forbids (the validation really runs)", () => {
    const broken = structuredClone(coreWorkloads[0]) as unknown as Workload;
    (broken.spec.template.spec.containers[0] as unknown as { ports: unknown }).ports = [{ containerPort: "http" }];
    expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort/);
  });

  it("are all listed in kustomization.yaml, and everything it lists exists", () => {
    const topLevel = files
      .filter((f) => path.dirname(f) === DIR && f !== kustomizationFile)
      .map((f) => path.basename(f))
      .sort();
    expect([...kustomization.resources].sort()).toEqual(topLevel);
    const deployments = kind("Deployment").map((d) => (d as { metadata: { name: string } }).metadata.name);
    for (const r of kustomization.replicas) expect(deployments).toContain(r.name);
    expect(kustomization.images.map((i) => i.name)).toEqual(["gaia-core"]);
    expect(kustomization.namespace).toBe("gaia");
  });

  it("resolve every reference: Service selectors and ports, PDB selectors, Secrets, ConfigMaps, volume claims", () => {
    const podLabels = workloads.map((w) => w.spec.template.metadata.labels);
    const matches = (selector: Record<string, string>) =>
      podLabels.some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
    for (const service of kind("Service") as { spec: { selector: Record<string, string> } }[]) {
      expect(matches(service.spec.selector)).toBe(true);
    }
    for (const pdb of kind("PodDisruptionBudget") as {
      spec: { selector: { matchLabels: Record<string, string> } };
    }[]) {
      expect(matches(pdb.spec.selector.matchLabels)).toBe(true);
    }
    const secrets = new Map(
      (kind("Secret") as { metadata: { name: string }; stringData: Record<string, string> }[]).map((s) => [
        s.metadata.name,
        s.stringData,
      ]),
    );
    const claims = (kind("PersistentVolumeClaim") as { metadata: { name: string } }[]).map((c) => c.metadata.name);
    for (const workload of workloads) {
      for (const container of workload.spec.template.spec.containers) {
        containerEnv(container); // throws on a missing ConfigMap
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          if (ref) expect(Object.keys(secrets.get(ref.name) ?? {})).toContain(ref.key);
        }
      }
      for (const volume of workload.spec.template.spec.volumes ?? []) {
        if (volume.persistentVolumeClaim) expect(claims).toContain(volume.persistentVolumeClaim.claimName);
      }
    }
  });

  it("run one Deployment per core role with the role set, and the gateway hashing over the primary replicas", () => {
    const roles = coreWorkloads.map(
      (w) => loadCoreConfig(containerEnv(w.spec.template.spec.containers[0] as Container)).role,
    );
    expect(roles.sort()).toEqual(["candidate", "primary"]);
    const gatewayEnv = containerEnv(gatewayWorkloads[0]?.spec.template.spec.containers[0] as Container);
    const web = loadWebConfig(gatewayEnv);
    expect(web.coreReplicas).toMatchObject({ discovery: "dns" });
    const headless = kind("Service") as { metadata: { name: string }; spec: { clusterIP?: string } }[];
    const host = new URL(web.coreReplicas?.urls[0] as string).hostname;
    expect(headless.find((s) => s.metadata.name === host)?.spec.clusterIP).toBe("None");
  });

  it("run as uid 1000, non-root, read-only root, with emptyDir for HOME and /tmp", () => {
    for (const workload of gaiaWorkloads) {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true });
      for (const container of pod.containers) {
        expect(container.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        });
        for (const mountPath of ["/home/gaia", "/tmp"]) {
          const mount = container.volumeMounts?.find((m) => m.mountPath === mountPath);
          expect(pod.volumes?.find((v) => v.name === mount?.name)?.emptyDir).toBeDefined();
        }
      }
    }
  });

  it("size the cores from the bench's RSS and give them longer to stop than they take to drain", () => {
    for (const workload of coreWorkloads) {
      const pod = workload.spec.template.spec;
      const container = pod.containers[0] as Container;
      const config = loadCoreConfig(containerEnv(container));
      expect(mebibytes(container.resources?.requests?.memory ?? "0Mi")).toBeGreaterThanOrEqual(BENCH_PEAK_RSS_MIB);
      expect(mebibytes(container.resources?.limits?.memory ?? "0Mi")).toBeGreaterThan(BENCH_PEAK_RSS_MIB);
      expect(Number(container.resources?.requests?.cpu)).toBe(config.threads);
      const preStop = Number(container.lifecycle?.preStop?.exec?.command.at(-1) ?? 0);
      expect((pod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(config.shutdownGraceMs + preStop * 1000);
      expect(config.liteModelPath.startsWith("/models/")).toBe(true);
      const modelMount = container.volumeMounts?.find((m) => m.mountPath === "/models");
      expect(pod.volumes?.find((v) => v.name === modelMount?.name)?.persistentVolumeClaim).toBeDefined();
      const startup = container.startupProbe as Probe;
      // a slow model load (minutes on a busy CPU) must not be mistaken for a hang
      expect((startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3)).toBeGreaterThanOrEqual(120);
    }
    for (const workload of gatewayWorkloads) {
      const pod = workload.spec.template.spec;
      const config = loadWebConfig(containerEnv(pod.containers[0] as Container));
      expect((pod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(config.shutdownGraceMs);
    }
  });
});

describe("Kubernetes probes against the real services", () => {
  const logger = createLogger({ service: "k8s-probe-test", level: "silent" });
  const cores: Core[] = [];
  afterAll(async () => {
    for (const core of cores) await core.dispose();
  });

  /** A core configured from the manifest's env, with its model load held until `release()`. */
  function coreFromManifest(container: Container, overrides: Record<string, string>) {
    let release = () => {};
    const loaded = new Promise<void>((resolve) => {
      release = resolve;
    });
    const config = loadCoreConfig({ ...containerEnv(container), ...overrides });
    const core = createCore(config, logger, {
      loadEngine: async () => {
        await loaded;
        return new StubEngine();
      },
    });
    cores.push(core);
    return { core, config, release };
  }

  it.each(coreWorkloads.map((w) => [w.metadata.name, w]))(
    "%s: probes hit the port the core listens on, and mean loading ≠ dead and store down ≠ dead",
    async (_name, workload) => {
      const container = (workload as Workload).spec.template.spec.containers[0] as Container;
      const { startupProbe, readinessProbe, livenessProbe } = container as Required<Container>;
      const shared = tempDir("gaia-k8s-");
      const overrides = { GAIA_SHARED_DIR: shared, GAIA_EMBED_MODEL_DIR: "none" };

      // the manifest's settings with its Redis unreachable (a loopback port nobody listens on): the degraded case
      const manifestStore = loadCoreConfig(containerEnv(container)).sessionStore;
      expect(manifestStore.kind).toBe("redis");
      const unreachable = `redis://127.0.0.1:${await freePort()}`;
      const degraded = coreFromManifest(container, { ...overrides, GAIA_SESSION_STORE: unreachable });
      for (const probe of [startupProbe, readinessProbe, livenessProbe]) {
        expect(probePort(container, probe)).toBe(degraded.config.port);
      }
      const get = (core: Core, probe: Probe) => request(core.app).get(probe.httpGet?.path as string);
      // loading: not started, not ready, alive
      expect((await get(degraded.core, startupProbe)).status).toBe(503);
      expect((await get(degraded.core, readinessProbe)).status).toBe(503);
      expect((await get(degraded.core, livenessProbe)).status).toBe(200);
      degraded.release();
      await degraded.core.started;
      // loaded but its store is unreachable: started, alive, not ready (no restart, no traffic)
      expect((await get(degraded.core, startupProbe)).status).toBe(200);
      const readiness = await get(degraded.core, readinessProbe);
      expect(readiness.status).toBe(503);
      expect(readiness.body).toMatchObject({ status: "unavailable", session_store: { writable: false } });
      expect((await get(degraded.core, livenessProbe)).status).toBe(200);

      // the same manifest with a store that works: ready
      const healthy = coreFromManifest(container, { ...overrides, GAIA_SESSION_STORE: "file" });
      healthy.release();
      await healthy.core.started;
      for (const probe of [startupProbe, readinessProbe, livenessProbe]) {
        expect((await get(healthy.core, probe)).status).toBe(200);
      }
    },
  );

  it("gateway: its probes hit the port it listens on and answer 200", async () => {
    const container = gatewayWorkloads[0]?.spec.template.spec.containers[0] as Container;
    const config = loadWebConfig(containerEnv(container));
    const app = createWebApp({ client: new ResilientClient({ primaryUrl: config.coreEndpoint }), logger });
    for (const probe of [container.readinessProbe, container.livenessProbe] as Probe[]) {
      expect(probePort(container, probe)).toBe(config.port);
      expect((await request(app).get(probe.httpGet?.path as string)).status).toBe(200);
    }
  });
});
