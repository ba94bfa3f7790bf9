// Close status codes: names and meanings come from the engine's own table (a pure module, no Node
// APIs), so the UI and the engine never disagree.
export { describeCloseCode, type CloseCodeInfo as CloseCodeText } from '../../../src/protocol/close-code-names.js';

/** The codes offered in the composer's close menu: those an endpoint may send (RFC 6455 §7.4.1). */
export const SENDABLE_CLOSE_CODES: readonly number[] = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3003, 3008, 4000];
