// `npm run build [-- name...]`: every process of the shop (and the images' helper scripts, and the bench's baseline)
// as plain JS under dist/ (see lib/build.ts). `npm start` and the bench run it themselves first.
import { ALL_TARGETS, buildTargets, targetsNamed } from './lib/build';

async function main(argv: string[]): Promise<void> {
  const targets = argv.length > 0 ? targetsNamed(argv) : ALL_TARGETS;
  const summary = await buildTargets(targets);
  const changed = summary.changed.length > 0 ? `changed: ${summary.changed.join(', ')}` : 'nothing changed';
  console.error(`[build] ${summary.built.join(', ')} in ${summary.ms} ms (${changed})`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // esbuild has printed its messages already; this is the summary line.
  console.error(`[build] failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exit(1);
});
