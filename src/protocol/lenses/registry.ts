// The lenses Framescope knows, and which one reads a connection: the user's choice when they made one,
// else the lens most sure of it (auto-detection: the highest score above 0.5). The registry knows no
// protocol by name; each lens says how it is found (Wireshark's heuristic tables work the same way).
import type { Lens, LensConnection, LensMessage, LensName } from './lens.js';
import { builtInLenses } from './built-in-lenses.js';
import type { LensChoice } from './lens-names.js';

export { LENS_NAMES, isLensChoice, type LensChoice } from './lens-names.js';

/** How many of a connection's first messages detection looks at. */
export const DETECTION_MESSAGES = 8;

/** A score must pass this for auto-detection to pick a lens. */
export const DETECTION_THRESHOLD = 0.5;

export interface Detection {
  lens: Lens;
  score: number;
}

export class LensRegistry {
  private readonly byName = new Map<LensName, Lens>();

  constructor(lenses: readonly Lens[] = []) {
    for (const lens of lenses) this.register(lens);
  }

  /** Adds a lens; a second lens with the same name replaces the first. */
  register(lens: Lens): void {
    this.byName.set(lens.name, lens);
  }

  get(name: LensName): Lens | undefined {
    return this.byName.get(name);
  }

  list(): Lens[] {
    return [...this.byName.values()];
  }

  /**
   * Every lens's score for a connection, best first; a lens that throws scores 0 (a heuristic must
   * decline, never break detection for the others).
   */
  scores(connection: LensConnection, first: readonly LensMessage[]): Detection[] {
    const head = first.slice(0, DETECTION_MESSAGES);
    const scored: Detection[] = [];
    for (const lens of this.byName.values()) {
      let score = 0;
      try {
        score = lens.detect(connection, head);
      } catch {
        score = 0;
      }
      if (Number.isFinite(score) && score > 0) scored.push({ lens, score: Math.min(score, 1) });
    }
    // Stable: on a tie the lens registered first wins.
    return scored.sort((a, b) => b.score - a.score);
  }

  /** The lens auto-detection picks: the highest score above DETECTION_THRESHOLD, if any. */
  detect(connection: LensConnection, first: readonly LensMessage[]): Detection | undefined {
    const best = this.scores(connection, first)[0];
    return best && best.score > DETECTION_THRESHOLD ? best : undefined;
  }

  /** The lens for a connection given the user's choice: the named one, the detected one, or none. */
  choose(choice: LensChoice, connection: LensConnection, first: readonly LensMessage[]): Lens | undefined {
    if (choice === 'none') return undefined;
    if (choice === 'auto') return this.detect(connection, first)?.lens;
    return this.get(choice);
  }
}

let shared: LensRegistry | undefined;

/** The registry of every built-in lens (built once). */
export function defaultLensRegistry(): LensRegistry {
  shared ??= new LensRegistry(builtInLenses);
  return shared;
}
