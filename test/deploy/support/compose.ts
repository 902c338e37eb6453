import { asArray, asObject, asString, isObject, type Json, type JsonObject, optionalString, parseEnvFile, readRepoFile, readYaml } from './repo';

export const COMPOSE_FILE = 'docker-compose.yml';

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `$VAR` and `$$` as compose reads them. */
const INTERPOLATION = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function interpolate(text: string, variables: Record<string, string>): string {
  return text.replace(INTERPOLATION, (match, braced: string | undefined, operator: string | undefined, argument: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    const name = braced ?? bare ?? '';
    const value = variables[name];
    const unsetOrEmpty = value === undefined || (operator?.startsWith(':') === true && value === '');
    if (operator?.endsWith('-')) return unsetOrEmpty ? (argument ?? '') : (value ?? '');
    if (operator?.endsWith('?')) {
      if (unsetOrEmpty) throw new Error(`required variable ${name} is not set: ${argument ?? ''}`);
      return value ?? '';
    }
    return value ?? '';
  });
}

/** Every variable a text refers to (`$$` escapes excluded). */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(INTERPOLATION)) {
    const name = match[1] ?? match[4];
    if (name) names.add(name);
  }
  return [...names];
}

function interpolateDeep(value: Json, variables: Record<string, string>): Json {
  if (typeof value === 'string') return interpolate(value, variables);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, variables));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDeep(item, variables)]));
  return value;
}

export interface ComposeService {
  name: string;
  raw: JsonObject;
  image?: string;
  build?: { context: string; dockerfile: string; args: Record<string, string> };
  command?: string[];
  environment: Record<string, string>;
  dependsOn: Record<string, string>;
  healthcheck?: string[];
  ports: string[];
  profiles: string[];
  volumes: string[];
}

export interface ComposeFile {
  services: Map<string, ComposeService>;
  volumes: string[];
}

function stringMap(value: Json | undefined, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) {
    // List form: KEY=VALUE entries.
    return Object.fromEntries(
      value.map((entry) => {
        const text = asString(entry, what);
        const eq = text.indexOf('=');
        return eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(asObject(value, what)).map(([key, item]) => [key, item === null ? '' : asString(item, `${what}.${key}`)]));
}

function commandList(value: Json | undefined, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return ['CMD-SHELL', value];
  return asArray(value, what).map((item, index) => asString(item, `${what}[${index}]`));
}

function toService(name: string, raw: JsonObject): ComposeService {
  const where = `services.${name}`;
  const build = raw.build === undefined ? undefined : typeof raw.build === 'string' ? { context: raw.build, dockerfile: 'Dockerfile', args: {} } : (() => {
    const object = asObject(raw.build, `${where}.build`);
    return {
      context: asString(object.context ?? '.', `${where}.build.context`),
      dockerfile: asString(object.dockerfile ?? 'Dockerfile', `${where}.build.dockerfile`),
      args: stringMap(object.args, `${where}.build.args`),
    };
  })();
  const dependsOn: Record<string, string> = {};
  const rawDepends = raw.depends_on;
  if (Array.isArray(rawDepends)) {
    for (const target of rawDepends) dependsOn[asString(target, `${where}.depends_on`)] = 'service_started';
  } else if (rawDepends !== undefined) {
    for (const [target, spec] of Object.entries(asObject(rawDepends, `${where}.depends_on`))) {
      dependsOn[target] = asString(asObject(spec, `${where}.depends_on.${target}`).condition ?? 'service_started', `${where}.depends_on.${target}.condition`);
    }
  }
  const health = raw.healthcheck === undefined ? undefined : asObject(raw.healthcheck, `${where}.healthcheck`);
  const disabled = health?.disable === true || (Array.isArray(health?.test) && health.test[0] === 'NONE');
  return {
    name,
    raw,
    image: optionalString(raw.image, `${where}.image`),
    build,
    command: commandList(raw.command, `${where}.command`),
    environment: stringMap(raw.environment, `${where}.environment`),
    dependsOn,
    healthcheck: disabled ? undefined : commandList(health?.test, `${where}.healthcheck.test`),
    ports: asArray(raw.ports, `${where}.ports`).map((port) => asString(port, `${where}.ports`)),
    profiles: asArray(raw.profiles, `${where}.profiles`).map((profile) => asString(profile, `${where}.profiles`)),
    volumes: asArray(raw.volumes, `${where}.volumes`).map((volume) => asString(volume, `${where}.volumes`)),
  };
}

/** docker-compose.yml after merge keys and interpolation, with the given variables (as from `.env`). */
export function loadCompose(variables: Record<string, string>): ComposeFile {
  const document = asObject(interpolateDeep(readYaml(COMPOSE_FILE), variables), COMPOSE_FILE);
  const services = new Map<string, ComposeService>();
  for (const [name, raw] of Object.entries(asObject(document.services, 'services'))) services.set(name, toService(name, asObject(raw, name)));
  return { services, volumes: Object.keys(document.volumes === undefined ? {} : asObject(document.volumes, 'volumes')) };
}

export const envExample = (): Record<string, string> => parseEnvFile(readRepoFile('.env.example'));

/** Container-side port of a `ports:` entry (`[ip:]host:container[/proto]` or `container`). */
export function containerPort(spec: string): number {
  const withoutProtocol = spec.split('/')[0] ?? spec;
  const parts = withoutProtocol.split(':');
  return Number(parts[parts.length - 1]);
}

export function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services.get(name);
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}
