/**
 * Everything the bench starts registers how to undo it here. Undo runs newest first, once, on normal end,
 * failure, or Ctrl-C; a second Ctrl-C runs the synchronous last resorts (SIGKILL of process groups) and exits.
 */
type Undo = () => Promise<void> | void;

const undos: Array<{ what: string; undo: Undo }> = [];
const lastResorts: Array<() => void> = [];
let running: Promise<void> | undefined;

export function onCleanup(what: string, undo: Undo): void {
  undos.push({ what, undo });
}

/** Synchronous; run from process 'exit' when the orderly cleanup could not finish. */
export function onHardExit(kill: () => void): void {
  lastResorts.push(kill);
}

export function cleanUp(): Promise<void> {
  running ??= (async () => {
    while (undos.length > 0) {
      const { what, undo } = undos.pop()!;
      try {
        await undo();
      } catch (error) {
        console.error(`[bench] cleanup of ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return running;
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
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', hardExit);
}
