/**
 * The shape of a `beckon` sub-command: each lives in `commands/<name>.ts` and exports `run`.
 * `main.ts` dispatches on the first argument; a command returns its exit code instead of calling process.exit,
 * so tests can call it in-process.
 */
export type CommandRun = (args: string[]) => Promise<number>;
