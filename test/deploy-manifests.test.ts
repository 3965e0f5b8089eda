import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createProgram } from '../ts/server/cli';
import { demoModels } from './helpers/models';
import { scrapeMetrics } from './helpers/prometheus-scrape';
import { startRestServer, type RestTestServer } from './helpers/rest-server';
import { CrdValidators } from './helpers/strict-crd-schema';

/**
 * Every manifest under deploy/ is checked offline: core kinds with kubernetes-models (the
 * Kubernetes OpenAPI schema), KServe kinds with the real CRD schemas made strict, and the rules
 * neither enforces (names KServe relies on, ports and probe paths that match the server).
 */

const ROOT = path.resolve(__dirname, '..');
/** The project's shared/ folder lies beside every checkout, CI's included, or above a worktree. */
function findKserveCrds(): string {
  if (process.env.KSERVE_CRDS_DIR) return process.env.KSERVE_CRDS_DIR;
  for (let dir = path.dirname(ROOT); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'kserve-crds');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('no shared/kserve-crds above the checkout: set KSERVE_CRDS_DIR to the KServe CRD folder');
  }
}
const KSERVE_CRDS = findKserveCrds();
const KSERVE_PROTOCOLS = new Set(['v1', 'v2', 'grpc-v1', 'grpc-v2']);

type Manifest = Record<string, any>;
const read = (file: string): Manifest => parseYaml(readFileSync(path.join(ROOT, 'deploy', file), 'utf8')) as Manifest;

const runtime = read('kserve/cluster-serving-runtime.yaml');
const isvc = read('kserve/inference-service.yaml');
const deployment = read('kubernetes/deployment.yaml');
const service = read('kubernetes/service.yaml');
const pdb = read('kubernetes/pod-disruption-budget.yaml');
const hpa = read('kubernetes/horizontal-pod-autoscaler.yaml');
const adapterRules = read('kubernetes/prometheus-adapter-rules.yaml');

/** The container args as Proton's own CLI parser reads them (`{{.Name}}` filled in as KServe does). */
function parseArgs(args: string[]): Record<string, unknown> {
  const program = createProgram().exitOverride();
  program.parse(args.map((arg) => arg.replace('{{.Name}}', 'example')), { from: 'user' });
  return program.opts();
}

let crds: CrdValidators;
beforeAll(() => {
  crds = new CrdValidators(
    ['serving.kserve.io_clusterservingruntimes.yaml', 'serving.kserve.io_inferenceservices.yaml'].map((file) =>
      path.join(KSERVE_CRDS, file),
    ),
  );
}, 120_000);

describe('the strict CRD validator', () => {
  it('rejects a misspelled key the published schema would accept', () => {
    const misspelled = structuredClone(isvc);
    misspelled.spec.predictor.model.storageURI = misspelled.spec.predictor.model.storageUri;
    delete misspelled.spec.predictor.model.storageUri;
    expect(crds.errors(misspelled)).toEqual(["/spec/predictor/model: must NOT have additional properties 'storageURI'"]);

    const typo = structuredClone(runtime);
    typo.spec.supportedModelFormats[0].autoselect = true;
    expect(crds.errors(typo)).toEqual(["/spec/supportedModelFormats/0: must NOT have additional properties 'autoselect'"]);
  });

  it('rejects wrong types and keeps int-or-string fields open to both', () => {
    const wrong = structuredClone(runtime);
    wrong.spec.containers[0].ports[0].containerPort = '8080';
    expect(crds.errors(wrong)).toEqual(['/spec/containers/0/ports/0/containerPort: must be integer']);
    const named = structuredClone(runtime);
    named.spec.containers[0].readinessProbe.httpGet.port = 'http1';
    expect(crds.errors(named)).toEqual([]);
  });

  it('names an unknown kind', () => {
    expect(crds.errors({ apiVersion: 'serving.kserve.io/v1beta1', kind: 'Predictor' })[0]).toMatch(/^no schema for/);
  });
});

describe('the KServe manifests', () => {
  it('match the CRD schemas', () => {
    expect(crds.errors(runtime)).toEqual([]);
    expect(crds.errors(isvc)).toEqual([]);
  });

  it('name the server container kserve-container and declare known protocol versions', () => {
    expect(runtime.spec.containers.map((c: Manifest) => c.name)).toEqual(['kserve-container']);
    expect(runtime.spec.protocolVersions.filter((v: string) => !KSERVE_PROTOCOLS.has(v))).toEqual([]);
    expect(runtime.spec.protocolVersions).toEqual(expect.arrayContaining(['v2', 'grpc-v2']));
  });

  it('pass args Proton parses, with the model where the storage initializer puts it', () => {
    const container = runtime.spec.containers[0];
    const options = parseArgs(container.args);
    expect(options).toMatchObject({ modelDir: '/mnt/models', modelName: 'example', httpPort: 8080, grpcPort: 9000 });
    expect(container.ports.map((p: Manifest) => p.containerPort)).toEqual([options.httpPort]);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      expect(container[probe].httpGet.port, probe).toBe(options.httpPort);
    }
  });

  it('has an InferenceService the runtime serves', () => {
    const { model } = isvc.spec.predictor;
    expect(model.runtime).toBe(runtime.metadata.name);
    expect(runtime.spec.supportedModelFormats.map((f: Manifest) => f.name)).toContain(model.modelFormat.name);
    expect(runtime.spec.protocolVersions).toContain(model.protocolVersion);
  });
});

describe('the Kubernetes manifests', () => {
  it('match the Kubernetes schemas', () => {
    expect(() => new Deployment(deployment as never).validate()).not.toThrow();
    expect(() => new Service(service as never).validate()).not.toThrow();
    expect(() => new PodDisruptionBudget(pdb as never).validate()).not.toThrow();
    expect(() => new HorizontalPodAutoscaler(hpa as never).validate()).not.toThrow();
    expect(() => new ConfigMap(adapterRules as never).validate()).not.toThrow();
  });

  it('the schema library rejects a wrongly typed field', () => {
    const wrong = structuredClone(deployment);
    wrong.spec.template.spec.terminationGracePeriodSeconds = '60';
    expect(() => new Deployment(wrong as never).validate()).toThrow(/terminationGracePeriodSeconds must be integer/);
  });

  const container = deployment.spec.template.spec.containers[0];
  const options = parseArgs(container.args);
  const containerPort = (name: string): number => container.ports.find((p: Manifest) => p.name === name)?.containerPort;

  it('declare the ports the args bind, and the Service targets them', () => {
    expect(containerPort('http')).toBe(options.httpPort);
    expect(containerPort('grpc')).toBe(options.grpcPort);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      expect(containerPort(container[probe].httpGet.port), probe).toBe(options.httpPort);
    }
    const ports = Object.fromEntries(service.spec.ports.map((p: Manifest) => [p.name, p]));
    expect(containerPort(ports.http.targetPort)).toBe(options.httpPort);
    expect(containerPort(ports.grpc.targetPort)).toBe(options.grpcPort);
    expect(ports.grpc.appProtocol).toBe('kubernetes.io/h2c');
  });

  it('give the pod time for preStop, the drain delay and the exit timeout', () => {
    const [command, seconds] = container.lifecycle.preStop.exec.command;
    expect(command).toBe('sleep');
    const needed = Number(seconds) + (options.drainDelaySecs as number) + (options.exitTimeoutSecs as number);
    expect(options.drainDelaySecs).toBeGreaterThan(0);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(needed);
  });

  it('select the Deployment pods from the Service, the PDB and the HPA', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(service.spec.selector).toEqual(labels);
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
  });

  it('scale on the metric the Prometheus adapter rule derives from Triton’s counters', () => {
    const { rules } = parseYaml(adapterRules.data['config.yaml']) as { rules: Manifest[] };
    expect(rules).toHaveLength(1);
    expect(hpa.spec.metrics[0].pods.metric.name).toBe(rules[0]!.name.as);
    expect(rules[0]!.seriesQuery).toMatch(/^nv_inference_queue_duration_us\{/);
    expect(rules[0]!.metricsQuery).toMatch(/rate\(nv_inference_queue_duration_us\{.*\/.*rate\(nv_inference_request_success\{/s);
  });
});

describe('probe paths', () => {
  let server: RestTestServer;
  beforeAll(async () => {
    server = await startRestServer({ add: { path: (await demoModels()).add } });
  });
  afterAll(() => server.close());

  it('exist in the server and answer 200 when it is ready', async () => {
    const probes = [runtime.spec.containers[0], deployment.spec.template.spec.containers[0]].flatMap((c: Manifest) =>
      ['readinessProbe', 'livenessProbe', 'startupProbe'].map((probe) => c[probe].httpGet.path as string),
    );
    expect(new Set(probes)).toEqual(new Set(['/v2/health/ready', '/v2/health/live']));
    for (const probePath of probes) expect((await fetch(`${server.url}${probePath}`)).status, probePath).toBe(200);
  });

  it('the families the autoscaling rule queries are on /metrics, as counters labelled by model and version', async () => {
    const infer = await fetch(`${server.url}/v2/models/add/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], data: new Array(16).fill(1) })) }),
    });
    expect(infer.status).toBe(200);
    const { rules } = parseYaml(adapterRules.data['config.yaml']) as { rules: Manifest[] };
    const queried = new Set([rules[0]!.seriesQuery, rules[0]!.metricsQuery].flatMap((query: string) => query.match(/\b(?:nv|proton)_\w+(?=\{)/g) ?? []));
    expect([...queried].sort()).toEqual(['nv_inference_queue_duration_us', 'nv_inference_request_success']);
    const metrics = await scrapeMetrics(server.url);
    for (const name of queried) {
      expect(metrics[name]?.type, name).toBe('counter');
      const samples = metrics[name]!.data as Array<{ labels: Record<string, string>; value: number }>;
      expect(samples.find((each) => each.labels.model === 'add' && each.labels.version === '1'), name).toBeDefined();
    }
  });
});
