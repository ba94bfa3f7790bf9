import { describe, expect, it } from 'vitest';
import { describeCloseCode, isValidWireCloseCode, parseClosePayload } from '../../src/protocol/close-codes.js';

describe('describeCloseCode', () => {
  it.each([
    [1000, 'Normal Closure'],
    [1001, 'Going Away'],
    [1002, 'Protocol Error'],
    [1003, 'Unsupported Data'],
    [1004, 'Reserved'],
    [1005, 'No Status Rcvd'],
    [1006, 'Abnormal Closure'],
    [1007, 'Invalid Frame Payload Data'],
    [1008, 'Policy Violation'],
    [1009, 'Message Too Big'],
    [1010, 'Mandatory Extension'],
    [1011, 'Internal Error'],
    [1012, 'Service Restart'],
    [1013, 'Try Again Later'],
    [1014, 'Bad Gateway'],
    [1015, 'TLS handshake'],
  ])('names %i "%s" in the protocol range', (code, name) => {
    const info = describeCloseCode(code);
    expect(info.name).toBe(name);
    expect(info.range).toBe('protocol');
    expect(info.meaning.length).toBeGreaterThan(10);
  });

  it('says that the reserved codes must not be sent', () => {
    for (const code of [1004, 1005, 1006, 1015]) expect(describeCloseCode(code).meaning).toMatch(/Must not be sent/);
  });

  it('puts 3000-3999 in the IANA-registered range, naming the registered ones', () => {
    expect(describeCloseCode(3000)).toEqual({ name: 'Unauthorized', meaning: expect.any(String), range: 'registered' });
    expect(describeCloseCode(3003).name).toBe('Forbidden');
    expect(describeCloseCode(3008).name).toBe('Timeout');
    expect(describeCloseCode(3999)).toEqual({ name: 'Library/framework code', meaning: expect.stringMatching(/IANA/), range: 'registered' });
  });

  it('puts 4000-4999 in the private-use range', () => {
    expect(describeCloseCode(4000).range).toBe('private');
    expect(describeCloseCode(4999)).toEqual({ name: 'Private use', meaning: expect.any(String), range: 'private' });
  });

  it('describes unused, unassigned and out-of-range codes', () => {
    expect(describeCloseCode(0)).toMatchObject({ name: 'Unused', range: 'unused' });
    expect(describeCloseCode(999)).toMatchObject({ name: 'Unused', range: 'unused' });
    expect(describeCloseCode(1016)).toMatchObject({ name: 'Unassigned', range: 'protocol' });
    expect(describeCloseCode(2000)).toMatchObject({ name: 'Unassigned (extensions)', range: 'protocol' });
    expect(describeCloseCode(5000)).toMatchObject({ name: 'Invalid', range: 'out-of-range' });
    expect(describeCloseCode(65535).range).toBe('out-of-range');
    expect(describeCloseCode(-1).range).toBe('out-of-range');
  });
});

describe('isValidWireCloseCode', () => {
  it('accepts exactly 1000-1003, 1007-1014 and 3000-4999 among 0-65535', () => {
    const valid: number[] = [];
    for (let code = 0; code <= 0xffff; code++) if (isValidWireCloseCode(code)) valid.push(code);
    const expected = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014];
    for (let code = 3000; code <= 4999; code++) expected.push(code);
    expect(valid).toEqual(expected);
  });
});

describe('parseClosePayload', () => {
  it('gives no code and no violation for an empty payload', () => {
    expect(parseClosePayload(Buffer.alloc(0))).toEqual({ violations: [] });
  });

  it('reports close-payload-too-short for a 1-byte payload', () => {
    expect(parseClosePayload(Buffer.from([0x03]))).toEqual({ violations: ['close-payload-too-short'] });
  });

  it('decodes a code with no reason', () => {
    expect(parseClosePayload(Buffer.from([0x03, 0xe8]))).toEqual({ code: 1000, reason: '', violations: [] });
  });

  it('decodes a code and a UTF-8 reason', () => {
    const payload = Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('bye ✓', 'utf8')]);
    expect(parseClosePayload(payload)).toEqual({ code: 4001, reason: 'bye ✓', violations: [] });
  });

  it.each([1005, 1006, 1004, 1015, 999, 2999, 5000])('reports invalid-close-code for %i', (code) => {
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    expect(parseClosePayload(payload)).toEqual({ code, reason: '', violations: ['invalid-close-code'] });
  });

  it('reports invalid-utf8-close-reason and decodes the reason with replacement characters', () => {
    const payload = Buffer.from([0x03, 0xe8, 0x61, 0xff, 0x62]);
    expect(parseClosePayload(payload)).toEqual({ code: 1000, reason: 'a\ufffdb', violations: ['invalid-utf8-close-reason'] });
  });

  it('reports both an invalid code and an invalid reason, code first', () => {
    const payload = Buffer.from([0x03, 0xed, 0xc3]);
    expect(parseClosePayload(payload)).toEqual({
      code: 1005, reason: '\ufffd', violations: ['invalid-close-code', 'invalid-utf8-close-reason'],
    });
  });
});
