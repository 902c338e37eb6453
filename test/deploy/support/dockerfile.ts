import { readRepoFile } from './repo';

export interface DockerInstruction {
  instruction: string;
  args: string;
  stage: string;
}

export interface Dockerfile {
  instructions: DockerInstruction[];
  /** ARG names declared anywhere (global or in a stage). */
  args: Map<string, string | undefined>;
  stages: string[];
}

/** Splits a Dockerfile into instructions (continuation lines joined, comments and parser directives dropped). */
export function parseDockerfile(relative: string): Dockerfile {
  const lines = readRepoFile(relative).split('\n');
  const logical: string[] = [];
  let pending = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  if (pending !== '') logical.push(pending);

  const instructions: DockerInstruction[] = [];
  const args = new Map<string, string | undefined>();
  const stages: string[] = [];
  let stage = '(global)';
  for (const line of logical) {
    const match = /^(\w+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const instruction = (match[1] ?? '').toUpperCase();
    const rest = (match[2] ?? '').trim();
    if (instruction === 'FROM') {
      stage = /\bAS\s+(\S+)/i.exec(rest)?.[1] ?? `stage${stages.length}`;
      stages.push(stage);
    }
    if (instruction === 'ARG') {
      const [name, value] = rest.split('=', 2);
      args.set((name ?? '').trim(), value?.trim());
    }
    instructions.push({ instruction, args: rest, stage });
  }
  return { instructions, args, stages };
}

/** Sources of the COPY instructions that read the build context (not `--from=` another stage). */
export function contextCopySources(dockerfile: Dockerfile, stage?: string): string[] {
  return dockerfile.instructions
    .filter((item) => item.instruction === 'COPY' && (stage === undefined || item.stage === stage))
    .map((item) => item.args.split(/\s+/).filter((word) => word.length > 0))
    .filter((words) => !words.some((word) => word.startsWith('--from=')))
    .flatMap((words) => words.filter((word) => !word.startsWith('--')).slice(0, -1));
}

/** The exec-form CMD of the final stage, which is what a container runs without a command override. */
export function finalCommand(dockerfile: Dockerfile): string[] {
  const cmd = [...dockerfile.instructions].reverse().find((item) => item.instruction === 'CMD');
  if (!cmd) throw new Error('the Dockerfile has no CMD');
  const parsed: unknown = JSON.parse(cmd.args);
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string')) throw new Error(`CMD is not exec form: ${cmd.args}`);
  return parsed;
}

/** The final stage's last WORKDIR with build args substituted, as an absolute path inside the image. */
export function finalWorkdir(dockerfile: Dockerfile, buildArgs: Record<string, string>): string {
  const workdir = [...dockerfile.instructions].reverse().find((item) => item.instruction === 'WORKDIR');
  if (!workdir) throw new Error('the Dockerfile has no WORKDIR');
  return substitute(workdir.args, dockerfile, buildArgs);
}

/** `${NAME}` / `$NAME` from the build args, else the ARG's default (itself substituted). */
export function substitute(text: string, dockerfile: Dockerfile, buildArgs: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const given = buildArgs[name];
    if (given !== undefined) return given;
    const fallback = dockerfile.args.get(name);
    return fallback === undefined ? '' : substitute(fallback, dockerfile, buildArgs);
  });
}
