import fs from 'node:fs';
import path from 'node:path';
import { asArray, asObject, asString, type JsonObject, optionalString, parseEnvFile, readRepoFile, readYaml, readYamlDocuments, repoPath } from './repo';

/**
 * Just enough of `kustomize build` to check the manifests offline and without kubectl: resources (files and
 * nested kustomizations), ConfigMap/Secret generators (literals, files, envs; behavior merge), `images` and the
 * targets of patches. Patches themselves are not applied: the checks below do not depend on what they change.
 */
export interface KustomizeBuild {
  resources: JsonObject[];
  configMaps: Map<string, Record<string, string>>;
  secrets: Map<string, Record<string, string>>;
  /** Every path a kustomization refers to, relative to the repo, with whether it exists. */
  references: { from: string; path: string; exists: boolean }[];
  /** Patch targets that select no resource. */
  unmatchedPatches: string[];
}

const KUSTOMIZATION = 'kustomization.yaml';

function generatorData(dir: string, generator: JsonObject, where: string, references: KustomizeBuild['references']): Record<string, string> {
  const data: Record<string, string> = {};
  for (const literal of asArray(generator.literals, `${where}.literals`)) {
    const text = asString(literal, `${where}.literals`);
    const eq = text.indexOf('=');
    if (eq <= 0) throw new Error(`${where}: literal without "=": ${text}`);
    data[text.slice(0, eq)] = text.slice(eq + 1);
  }
  for (const entry of asArray(generator.files, `${where}.files`)) {
    const text = asString(entry, `${where}.files`);
    const [key, file] = text.includes('=') ? (text.split('=', 2) as [string, string]) : [path.basename(text), text];
    const relative = path.join(dir, file);
    const exists = fs.existsSync(repoPath(relative));
    references.push({ from: where, path: relative, exists });
    if (exists) data[key] = readRepoFile(relative);
  }
  for (const entry of asArray(generator.envs, `${where}.envs`)) {
    const relative = path.join(dir, asString(entry, `${where}.envs`));
    const exists = fs.existsSync(repoPath(relative));
    references.push({ from: where, path: relative, exists });
    if (exists) Object.assign(data, parseEnvFile(readRepoFile(relative)));
  }
  return data;
}

function applyGenerators(dir: string, kustomization: JsonObject, field: 'configMapGenerator' | 'secretGenerator', into: Map<string, Record<string, string>>, references: KustomizeBuild['references']): void {
  for (const [index, raw] of asArray(kustomization[field], field).entries()) {
    const generator = asObject(raw, `${dir}/${KUSTOMIZATION} ${field}[${index}]`);
    const name = asString(generator.name, `${field}[${index}].name`);
    const where = `${dir}/${KUSTOMIZATION} ${field} ${name}`;
    const behavior = optionalString(generator.behavior, `${where}.behavior`) ?? 'create';
    const data = generatorData(dir, generator, where, references);
    const existing = into.get(name);
    if (behavior === 'create' && existing) throw new Error(`${where}: ${name} already exists (use behavior: merge)`);
    if (behavior !== 'create' && !existing) throw new Error(`${where}: behavior ${behavior} but no ${name} from the resources`);
    into.set(name, behavior === 'merge' ? { ...existing, ...data } : data);
  }
}

function plainData(resource: JsonObject): Record<string, string> {
  const data: Record<string, string> = {};
  const secret = resource.kind === 'Secret';
  for (const [key, value] of Object.entries(resource.data === undefined ? {} : asObject(resource.data, 'data'))) {
    const text = asString(value, `data.${key}`);
    data[key] = secret ? Buffer.from(text, 'base64').toString('utf8') : text;
  }
  for (const [key, value] of Object.entries(resource.stringData === undefined ? {} : asObject(resource.stringData, 'stringData'))) {
    data[key] = asString(value, `stringData.${key}`);
  }
  return data;
}

function applyImages(resources: JsonObject[], kustomization: JsonObject): void {
  const images = asArray(kustomization.images, 'images').map((raw) => asObject(raw, 'images[]'));
  if (images.length === 0) return;
  const rewrite = (image: string): string => {
    for (const spec of images) {
      const name = asString(spec.name, 'images[].name');
      if (image === name || image.startsWith(`${name}:`) || image.startsWith(`${name}@`)) {
        const newName = optionalString(spec.newName, 'images[].newName') ?? name;
        const tag = optionalString(spec.newTag, 'images[].newTag');
        return tag ? `${newName}:${tag}` : newName;
      }
    }
    return image;
  };
  for (const container of resources.flatMap((resource) => podContainers(resource))) {
    if (typeof container.image === 'string') container.image = rewrite(container.image);
  }
}

function patchTargetMatches(resources: JsonObject[], target: JsonObject): boolean {
  const kind = optionalString(target.kind, 'target.kind');
  const name = optionalString(target.name, 'target.name');
  return resources.some((resource) => {
    if (kind && resource.kind !== kind) return false;
    if (!name) return true;
    const resourceName = optionalString(asObject(resource.metadata, 'metadata').name, 'metadata.name') ?? '';
    return new RegExp(`^(?:${name})$`).test(resourceName);
  });
}

/** `dir` is relative to the repo and holds a kustomization.yaml. */
export function kustomizeBuild(dir: string): KustomizeBuild {
  const file = path.join(dir, KUSTOMIZATION);
  const kustomization = asObject(readYaml(file), file);
  const build: KustomizeBuild = { resources: [], configMaps: new Map(), secrets: new Map(), references: [], unmatchedPatches: [] };

  for (const entry of asArray(kustomization.resources, `${file} resources`)) {
    const relative = path.normalize(path.join(dir, asString(entry, `${file} resources`)));
    const absolute = repoPath(relative);
    const exists = fs.existsSync(absolute);
    build.references.push({ from: file, path: relative, exists });
    if (!exists) continue;
    if (fs.statSync(absolute).isDirectory()) {
      const nested = kustomizeBuild(relative);
      build.resources.push(...nested.resources);
      nested.configMaps.forEach((data, name) => build.configMaps.set(name, data));
      nested.secrets.forEach((data, name) => build.secrets.set(name, data));
      build.references.push(...nested.references);
      build.unmatchedPatches.push(...nested.unmatchedPatches);
    } else {
      build.resources.push(...readYamlDocuments(relative));
    }
  }
  for (const resource of build.resources) {
    const name = asString(asObject(resource.metadata, 'metadata').name, 'metadata.name');
    if (resource.kind === 'ConfigMap') build.configMaps.set(name, plainData(resource));
    if (resource.kind === 'Secret') build.secrets.set(name, plainData(resource));
  }
  applyGenerators(dir, kustomization, 'configMapGenerator', build.configMaps, build.references);
  applyGenerators(dir, kustomization, 'secretGenerator', build.secrets, build.references);
  applyImages(build.resources, kustomization);

  for (const [index, raw] of asArray(kustomization.patches, `${file} patches`).entries()) {
    const patch = asObject(raw, `${file} patches[${index}]`);
    if (typeof patch.path === 'string') {
      const relative = path.join(dir, patch.path);
      build.references.push({ from: file, path: relative, exists: fs.existsSync(repoPath(relative)) });
    }
    if (patch.target !== undefined && !patchTargetMatches(build.resources, asObject(patch.target, 'target'))) {
      build.unmatchedPatches.push(`${file} patches[${index}] ${JSON.stringify(patch.target)}`);
    }
  }
  return build;
}

export const metadataName = (resource: JsonObject): string => asString(asObject(resource.metadata, 'metadata').name, 'metadata.name');

export function resourcesOfKind(build: KustomizeBuild, kind: string): JsonObject[] {
  return build.resources.filter((resource) => resource.kind === kind);
}

export function findResource(build: KustomizeBuild, kind: string, name: string): JsonObject | undefined {
  return resourcesOfKind(build, kind).find((resource) => metadataName(resource) === name);
}

/** The pod spec of a Deployment, StatefulSet, DaemonSet or Job (undefined for other kinds). */
export function podSpec(resource: JsonObject): JsonObject | undefined {
  if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(String(resource.kind))) return undefined;
  const spec = asObject(resource.spec, `${resource.kind} spec`);
  const template = asObject(spec.template, `${resource.kind} spec.template`);
  return asObject(template.spec, `${resource.kind} spec.template.spec`);
}

export function podLabels(resource: JsonObject): Record<string, string> {
  const template = asObject(asObject(resource.spec, 'spec').template, 'spec.template');
  const labels = asObject(asObject(template.metadata, 'template.metadata').labels, 'template.metadata.labels');
  return Object.fromEntries(Object.entries(labels).map(([key, value]) => [key, asString(value, key)]));
}

export function podContainers(resource: JsonObject, which: 'containers' | 'initContainers' | 'all' = 'all'): JsonObject[] {
  const spec = podSpec(resource);
  if (!spec) return [];
  const main = asArray(spec.containers, 'containers').map((container) => asObject(container, 'container'));
  const init = asArray(spec.initContainers, 'initContainers').map((container) => asObject(container, 'initContainer'));
  if (which === 'containers') return main;
  if (which === 'initContainers') return init;
  return [...init, ...main];
}

export function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

export interface ResolvedEnv {
  env: Record<string, string>;
  /** References to a ConfigMap / Secret (or a key in it) that the build does not have. */
  missing: string[];
}

/** A container's environment as the kubelet would assemble it: envFrom first, then env (later wins). */
export function containerEnv(build: KustomizeBuild, container: JsonObject): ResolvedEnv {
  const env: Record<string, string> = {};
  const missing: string[] = [];
  const lookup = (kind: 'configMap' | 'secret', name: string): Record<string, string> | undefined =>
    (kind === 'configMap' ? build.configMaps : build.secrets).get(name);
  for (const raw of asArray(container.envFrom, 'envFrom')) {
    const source = asObject(raw, 'envFrom[]');
    for (const kind of ['configMap', 'secret'] as const) {
      const ref = source[`${kind}Ref`];
      if (ref === undefined) continue;
      const name = asString(asObject(ref, `${kind}Ref`).name, `${kind}Ref.name`);
      const data = lookup(kind, name);
      if (!data) missing.push(`${kind} ${name}`);
      else Object.assign(env, data);
    }
  }
  for (const raw of asArray(container.env, 'env')) {
    const variable = asObject(raw, 'env[]');
    const name = asString(variable.name, 'env[].name');
    if (variable.value !== undefined) {
      env[name] = asString(variable.value, `env ${name}`);
      continue;
    }
    const from = variable.valueFrom === undefined ? undefined : asObject(variable.valueFrom, `env ${name}.valueFrom`);
    for (const kind of ['configMap', 'secret'] as const) {
      const ref = from?.[`${kind}KeyRef`];
      if (ref === undefined) continue;
      const refObject = asObject(ref, `${kind}KeyRef`);
      const source = asString(refObject.name, `${kind}KeyRef.name`);
      const key = asString(refObject.key, `${kind}KeyRef.key`);
      const value = lookup(kind, source)?.[key];
      if (value === undefined) missing.push(`${kind} ${source} key ${key} (for ${name})`);
      else env[name] = value;
    }
  }
  return { env, missing };
}

/** ConfigMaps and Secrets that pod volumes mount. */
export function volumeReferences(resource: JsonObject): { kind: 'configMap' | 'secret'; name: string }[] {
  const spec = podSpec(resource);
  if (!spec) return [];
  return asArray(spec.volumes, 'volumes').flatMap((raw) => {
    const volume = asObject(raw, 'volume');
    const refs: { kind: 'configMap' | 'secret'; name: string }[] = [];
    if (volume.configMap !== undefined) refs.push({ kind: 'configMap', name: asString(asObject(volume.configMap, 'configMap').name, 'configMap.name') });
    if (volume.secret !== undefined) refs.push({ kind: 'secret', name: asString(asObject(volume.secret, 'secret').secretName, 'secret.secretName') });
    return refs;
  });
}
