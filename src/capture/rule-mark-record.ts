// Rule marks (record type 10): which rule changed, dropped, delayed or created a frame or a message,
// saved beside the frame and message records (whose binary layout stays as it is) and read back into
// the rows, the details and HAR (`_rule`). JSON body: {connectionId, target, number, rule}.

export interface RuleMark {
  connectionId: number;
  target: 'frame' | 'message';
  /** The frame's or message's number in its connection. */
  number: number;
  /** The rules' names (", " between them). */
  rule: string;
}

export function encodeRuleMarkBody(mark: RuleMark): Buffer {
  const { connectionId, target, number, rule } = mark;
  return Buffer.from(JSON.stringify({ connectionId, target, number, rule }), 'utf8');
}

/** A RuleMark record's body, or null when it is not one (the file is input). */
export function decodeRuleMarkBody(body: Buffer): RuleMark | null {
  try {
    const p = JSON.parse(body.toString('utf8')) as Partial<Record<keyof RuleMark, unknown>>;
    if (typeof p !== 'object' || p === null) return null;
    if (!Number.isInteger(p.connectionId) || (p.target !== 'frame' && p.target !== 'message') || !Number.isInteger(p.number) || typeof p.rule !== 'string') return null;
    return { connectionId: p.connectionId as number, target: p.target, number: p.number as number, rule: p.rule };
  } catch {
    return null;
  }
}

/** A session's rule marks, by target. */
export class RuleMarkBook {
  private readonly marks = new Map<string, string>();

  set(mark: RuleMark): void {
    this.marks.set(`${mark.connectionId}/${mark.target}/${mark.number}`, mark.rule);
  }

  get(connectionId: number, target: RuleMark['target'], number: number): string | undefined {
    if (this.marks.size === 0) return undefined;
    return this.marks.get(`${connectionId}/${target}/${number}`);
  }
}
