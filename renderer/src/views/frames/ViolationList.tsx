// Violations found in a frame or message: each code with its explanation, its RFC section and the
// close code a conforming receiver would fail the connection with.
import { Icon } from '../common/Icon.js';
import { describeCloseCode } from '../../protocol/close-codes.js';
import { describeViolation } from '../../protocol/violation-catalogue.js';

export function ViolationList({ codes }: { codes: readonly string[] }) {
  if (codes.length === 0) return null;
  return (
    <div className="violations">
      {[...new Set(codes)].map((code) => {
        const v = describeViolation(code);
        return (
          <div className="violation" key={code} data-violation={code}>
            <Icon name="warning" size={14} />
            <div>
              <div><code>{code}</code> <span className="rfc">{v.rfc}</span></div>
              <div>{v.explanation} A conforming receiver would fail the connection with {v.closeCode} {describeCloseCode(v.closeCode).name}.</div>
            </div>
          </div>
        );
      })}
    </div>
  );
}
