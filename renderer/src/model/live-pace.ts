// How often live traffic reaches the page's views: what a followed tail costs the page is bounded by
// these, however fast the traffic is (issue 16). Each is a spacing the page keeps with its own timers.

/** Shortest time between two acknowledged event batches, ms: a fast tail renders about 8 times a second. */
export const MIN_BATCH_MS = 120;

/**
 * Longest time between two acknowledged batches, ms, however slowly the page renders: the newest row on
 * screen is at most about this old, plus the trip from the engine.
 */
export const MAX_BATCH_MS = 200;

/**
 * The share of the time between two batches that rendering one may take: a page that renders slowly (a
 * busy machine) asks for batches less often, between MIN_BATCH_MS and MAX_BATCH_MS apart.
 */
export const RENDER_SHARE = 0.1;

/** Views re-render for connection counts alone at most this often, ms (the list, the status bar's totals). */
export const COUNTS_RENDER_MS = 300;

/** Rows a followed tail is sent beyond those in view (the view may have grown a little meanwhile). */
export const FOLLOW_MARGIN = 4;
