// `npm run build` (scripts/lib/build.ts): what the images, `npm start` and the bench run. The bundles are read as
// text: the properties that matter at run time are where the workspace code ends and npm packages begin, and the
// order in which the first requires happen.
import fs from 'node:fs';
import { buildTargets, PROCESS_TARGETS, targetsNamed, TOOL_TARGETS } from '../../scripts/lib/build';
import { repoPath } from './support/repo';

const SERVICES_WITH_PRISMA = PROCESS_TARGETS.filter((target) => target.entry.startsWith('services/'));
const bundle = (outfile: string): string => fs.readFileSync(repoPath(outfile), 'utf8');
const requiresOf = (code: string): string[] => [...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1] ?? '');

describe('the bundles', () => {
  beforeAll(async () => {
    await buildTargets([...PROCESS_TARGETS, ...TOOL_TARGETS]);
  }, 120_000);

  it.each(PROCESS_TARGETS.map((target) => [target.name, target] as const))('%s bundles the workspace packages and requires every npm package', (_name, target) => {
    const code = bundle(target.outfile);
    const required = requiresOf(code);
    // Workspace code is inside; only a package.json path of one is resolved at run time (proto's descriptor set).
    expect(required.filter((name) => name.startsWith('@shop/'))).toEqual([]);
    expect(code).not.toMatch(/require\("\.\.?\//);
    for (const name of ['@grpc/grpc-js', '@opentelemetry/sdk-node', 'pino']) expect(required).toContain(name);
  });

  it.each(PROCESS_TARGETS.map((target) => [target.name, target] as const))('%s starts telemetry before it first requires grpc-js, http, express or pg', (_name, target) => {
    const code = bundle(target.outfile);
    const telemetryStarts = code.search(/^startTelemetry\("[\w-]+"\);$/m);
    expect(telemetryStarts).toBeGreaterThan(0);
    for (const name of ['@grpc/grpc-js', 'node:http', 'http', 'express', 'pg']) {
      const first = code.indexOf(`require("${name}")`);
      if (first >= 0) expect({ name, afterTelemetry: first > telemetryStarts }).toEqual({ name, afterTelemetry: true });
    }
  });

  it.each(SERVICES_WITH_PRISMA.map((target) => [target.name, target] as const))('%s loads Prisma’s runtime and wasm query compiler from node_modules', (_name, target) => {
    const code = bundle(target.outfile);
    expect(requiresOf(code)).toContain('@prisma/client/runtime/client');
    // The generated client's dynamic imports stay dynamic: node resolves them from the bundle's folder at first query.
    const imported = [...code.matchAll(/\bimport\("([^"]+)"\)/g)].map((match) => match[1]);
    expect(imported).toEqual(expect.arrayContaining(['@prisma/client/runtime/query_compiler_bg.postgresql.js', '@prisma/client/runtime/query_compiler_bg.postgresql.wasm-base64.js']));
  });

  it('builds the healthcheck and debug-proxy scripts the images run', () => {
    for (const target of TOOL_TARGETS) expect({ target: target.name, built: fs.existsSync(repoPath(target.outfile)) }).toEqual({ target: target.name, built: true });
    expect(requiresOf(bundle(TOOL_TARGETS[0]!.outfile))).toContain('@grpc/grpc-js');
  });

  it('leaves unchanged bundles untouched when built again', async () => {
    // Contents, not mtimes: other suites (the launcher, the tracing test) may rewrite the same bytes concurrently.
    const before = PROCESS_TARGETS.map((target) => bundle(target.outfile));
    const summary = await buildTargets(PROCESS_TARGETS);
    expect(summary.built).toEqual(PROCESS_TARGETS.map((target) => target.name));
    expect(summary.changed).toEqual([]);
    expect(PROCESS_TARGETS.map((target) => bundle(target.outfile))).toEqual(before);
  }, 120_000);

  it('fails on an unknown target name instead of building nothing', () => {
    expect(() => targetsNamed(['nope'])).toThrow(/unknown build target "nope"/);
  });
});
