// Builds every Node process of the shop into one plain-JS file (dist/main.js in its folder), so that no process runs
// TypeScript through a loader at run time: tsx's loader thread, its esbuild helper and its source-map-backed stack
// traces cost memory and CPU in every process. The workspace packages (@shop/platform, @shop/proto, the Prisma
// client generated into src/generated) are bundled in; every npm dependency stays an external `require`, loaded from
// node_modules as before, so OpenTelemetry's require hooks still patch grpc-js, http, express and pg, and Prisma's
// client runtime still loads its wasm query compiler from @prisma/client/runtime.
import fs from 'node:fs';
import path from 'node:path';
import { build as esbuild, type BuildOptions, type OutputFile, type Plugin } from 'esbuild';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface BuildTarget {
  /** Short name used on the command line and in messages (user, product, order, payment, edge, ...). */
  name: string;
  /** TypeScript entry, relative to the repo root. */
  entry: string;
  /** Bundle written, relative to the repo root. */
  outfile: string;
}

const processTarget = (name: string, dir: string): BuildTarget => ({ name, entry: `${dir}/src/main.ts`, outfile: `${dir}/dist/main.js` });

/** The five long-running processes: what `npm start`, the bench and the images run. */
export const PROCESS_TARGETS: readonly BuildTarget[] = [
  processTarget('user', 'services/user'),
  processTarget('product', 'services/product'),
  processTarget('order', 'services/order'),
  processTarget('payment', 'services/payment'),
  processTarget('edge', 'edge-api'),
];

/** Small scripts the images run beside the process: the compose healthcheck and the debug profile's TCP forwarder. */
export const TOOL_TARGETS: readonly BuildTarget[] = [
  { name: 'healthcheck', entry: 'deploy/healthcheck.ts', outfile: 'deploy/dist/healthcheck.js' },
  { name: 'grpc-debug-proxy', entry: 'deploy/grpc-debug-proxy.ts', outfile: 'deploy/dist/grpc-debug-proxy.js' },
];

/** The bench's bare express+pg reference server, built like the processes it is compared with. */
export const BASELINE_TARGET: BuildTarget = { name: 'baseline', entry: 'bench/src/baseline/main.ts', outfile: 'bench/dist/baseline.js' };

export const ALL_TARGETS: readonly BuildTarget[] = [...PROCESS_TARGETS, ...TOOL_TARGETS, BASELINE_TARGET];

/** Folder of a process's bundle (services/<name> or edge-api) as the launcher and the images use it. */
export const DIST_ENTRY = path.join('dist', 'main.js');

/**
 * Bare specifiers stay `require`s, except the workspace packages, which are TypeScript and must be bundled.
 * `@shop/x/package.json` stays a path resolved at run time (the platform finds proto's descriptor set through it).
 */
const externalDependencies: Plugin = {
  name: 'external-npm-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const workspace = args.path.startsWith('@shop/') && !args.path.endsWith('/package.json');
      return workspace ? undefined : { path: args.path, external: true };
    });
  },
};

const COMMON: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  plugins: [externalDependencies],
  // Bundling renames clashing top-level names (Foo -> Foo2); error classes and logs must keep the real ones.
  keepNames: true,
  // For DevTools and CPU profiles only: Node does not read it unless started with --enable-source-maps.
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  write: false,
  absWorkingDir: REPO_ROOT,
};

/**
 * Writes a file by rename, and only when its content changed: a process starting from the old bundle while another
 * build runs (the launcher and a test at once) reads either the old or the new file, never a half-written one.
 */
function writeIfChanged(file: OutputFile): boolean {
  try {
    if (Buffer.compare(fs.readFileSync(file.path), file.contents) === 0) return false;
  } catch {
    // Not there yet.
  }
  fs.mkdirSync(path.dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(temporary, file.contents);
  fs.renameSync(temporary, file.path);
  return true;
}

export interface BuildSummary {
  built: string[];
  /** Bundles whose content changed (the others were left untouched). */
  changed: string[];
  ms: number;
}

/** Builds the targets in parallel (one esbuild service); rejects with esbuild's messages when one fails. */
export async function buildTargets(targets: readonly BuildTarget[] = ALL_TARGETS): Promise<BuildSummary> {
  const started = Date.now();
  const results = await Promise.all(
    targets.map(async (target) => {
      const result = await esbuild({ ...COMMON, entryPoints: [target.entry], outfile: target.outfile });
      const changed = (result.outputFiles ?? []).map(writeIfChanged).some(Boolean);
      return { target, changed };
    }),
  );
  return {
    built: results.map(({ target }) => target.name),
    changed: results.filter(({ changed }) => changed).map(({ target }) => target.name),
    ms: Date.now() - started,
  };
}

/** Targets by name; throws on an unknown one. */
export function targetsNamed(names: readonly string[]): BuildTarget[] {
  return names.map((name) => {
    const target = ALL_TARGETS.find((candidate) => candidate.name === name);
    if (!target) throw new Error(`unknown build target "${name}" (known: ${ALL_TARGETS.map((candidate) => candidate.name).join(', ')})`);
    return target;
  });
}
