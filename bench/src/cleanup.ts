/**
 * Everything the bench starts registers how to undo it here. Undo runs newest first, once, on normal end,
 * failure, or Ctrl-C; a second Ctrl-C runs the synchronous last resorts (SIGKILL of process groups) and exits.
 */
type Undo = () => Promise<void> | void;

const undos: Array<{ what: string; undo: Undo }> = [];
const lastResorts: Array<() => void> = [];
const late = new Set<Promise<void>>();
let cleaning = false;

async function runUndo(what: string, undo: Undo): Promise<void> {
  try {
    await undo();
  } catch (error) {
    console.error(`[bench] cleanup of ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function onCleanup(what: string, undo: Undo): void {
  if (!cleaning) {
    undos.push({ what, undo });
    return;
  }
  // Started while a Ctrl-C was already cleaning up (e.g. PostgreSQL finishing its start): undo it at once.
  const pending = runUndo(what, undo).finally(() => late.delete(pending));
  late.add(pending);
}

/** Synchronous; run from process 'exit' when the orderly cleanup could not finish. */
export function onHardExit(kill: () => void): void {
  lastResorts.push(kill);
}

export async function cleanUp(): Promise<void> {
  cleaning = true;
  while (undos.length > 0) {
    const { what, undo } = undos.pop()!;
    await runUndo(what, undo);
  }
  while (late.size > 0) await Promise.all([...late]);
}

function hardExit(): void {
  for (const kill of lastResorts) {
    try {
      kill();
    } catch {
      // Already gone.
    }
  }
}

/** Ctrl-C: clean up, then give anything still starting a moment to register and be undone, then exit. */
export function installSignalHandlers(): void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      console.error(`[bench] ${signal} again: killing everything now`);
      hardExit();
      process.exit(130);
    }
    console.error(`[bench] ${signal}: stopping and cleaning up...`);
    void (async () => {
      await cleanUp();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await cleanUp();
      process.exit(130);
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', hardExit);
}
