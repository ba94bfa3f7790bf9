// HAR times (epoch seconds, or Playwright's milliseconds) as epoch milliseconds.

/** Playwright writes epoch milliseconds, the others epoch seconds; 1e11 seconds is the year 5138. */
const MILLISECONDS_ABOVE = 1e11;

/**
 * HAR seconds (or Playwright's milliseconds) to epoch milliseconds. For seconds the exporter wrote as t / 1000
 * this finds t again, so that the next export writes the same seconds: whole (then micro-) milliseconds
 * first, as Date.now() records them, then the doubles next to time * 1000. Seconds that no t / 1000 gives
 * (other tools' microseconds, now and then) get the nearest milliseconds.
 */
export function harTimeToMs(time: number): number {
  if (time >= MILLISECONDS_ABOVE) return time;
  const nearest = time * 1000;
  for (const ms of [Math.round(nearest), Math.round(time * 1e6) / 1000, nearest]) {
    if (ms / 1000 === time) return ms;
  }
  for (let step = 1; step <= 4; step++) {
    for (const ms of [adjacentDouble(nearest, step), adjacentDouble(nearest, -step)]) {
      if (ms / 1000 === time) return ms;
    }
  }
  return nearest;
}

const DOUBLE = new Float64Array(1);
const DOUBLE_BITS = new BigInt64Array(DOUBLE.buffer);

/** The double `steps` representable values above (or below) a positive x. */
function adjacentDouble(x: number, steps: number): number {
  DOUBLE[0] = x;
  DOUBLE_BITS[0]! += BigInt(steps);
  return DOUBLE[0]!;
}

/** Gives each item whose time was not readable the time of the item before it (or the connection's start). */
export function fillTimes(items: { time: number }[], startedAt: number): void {
  let previous = startedAt;
  for (const item of items) {
    if (Number.isNaN(item.time)) item.time = previous;
    previous = item.time;
  }
}

/** fillTimes for times kept in an array. */
export function fillTimeArray(times: Float64Array, startedAt: number): void {
  let previous = startedAt;
  for (let k = 0; k < times.length; k++) {
    if (Number.isNaN(times[k]!)) times[k] = previous;
    previous = times[k]!;
  }
}
