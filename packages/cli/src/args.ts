/**
 * A small argument parser for the CLI: `--name value`, `--flag`, `--name=value`, and positionals. Unknown
 * options are an error naming the option, so a typo never silently does something else.
 */
import { parseArgs } from 'node:util';

export function parseCommandArgs(
  args: string[],
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  return {
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  };
}
