/**
 * Choosing the checkpoint and ControlNet model among those a server has installed: an exact (or, where the server
 * matches loosely, a prefix/substring) match for a requested name, else the first installed name that fits the
 * preferences. Errors list what is installed.
 */
import { ServerError } from '../errors.ts';

/** How a requested name is matched: 'exact' (ComfyUI) or 'loose' (AUTOMATIC1111: case-insensitive substring). */
export type MatchMode = 'exact' | 'loose';

/** Show a list of names in one line, at most `max` of them. */
export function listNames(names: readonly string[], max = 12): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, max).map((n) => `"${n}"`).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * Pick a model. `what` names the kind ("checkpoint", "ControlNet model") and `where` the server, for errors.
 * Returns null when nothing was requested and nothing fits (the caller decides whether that is an error).
 */
export function chooseModel(
  what: string, where: string, installed: readonly string[], requested: string | undefined,
  preferences: readonly RegExp[], mode: MatchMode,
): string | null {
  if (requested !== undefined && requested !== '') {
    const exact = installed.find((n) => n === requested);
    if (exact) return exact;
    if (mode === 'loose') {
      const low = requested.toLowerCase();
      const loose = installed.find((n) => n.toLowerCase().startsWith(low)) ?? installed.find((n) => n.toLowerCase().includes(low));
      if (loose) return loose;
    }
    throw new ServerError(`${what} "${requested}" is not installed on ${where}; installed: ${listNames(installed)}`, 422);
  }
  for (const re of preferences) {
    const hit = installed.find((n) => re.test(n));
    if (hit) return hit;
  }
  return null;
}
