import { describe, expect, it } from 'vitest';
import {
  FILE_HEADER_LENGTH, FRAME_FIXED_LENGTH, MESSAGE_FIXED_LENGTH, RECORD_HEADER_LENGTH, RecordType, ViolationCatalogue,
  checkFileHeader, decodeCatalogueBody, decodeConnectionBody, decodeErrorBody, decodeFrameBody, decodeMessageBody,
  decodeCheckpointBody, encodeCatalogueBody, encodeCheckpoint, encodeConnectionBody, encodeErrorBody, encodeFileHeader, encodeRecord, measureFrameBody,
  measureMessageBody, readRecordHeader, recordIntact, FrameFlag, frameBodyPrefixLength, violationBit, violationMask, writeFrameBody, writeMessageBody,
  type FrameRecordInput, type MessageRecordInput,
} from '../../src/capture/capture-file.js';
import { crc32 } from 'node:zlib';
import type { CapturedFrame, CapturedMessage, ConnectionRecord } from '../../src/capture/capture-model.js';
import { VIOLATION_CODES } from '../../src/protocol/violations.js';

const catalogue = new ViolationCatalogue();

function frameRecord(input: FrameRecordInput, cat = catalogue): Buffer {
  const parts = measureFrameBody(input);
  const body = Buffer.alloc(parts.length);
  writeFrameBody(body, 0, input, parts, cat);
  return encodeRecord(RecordType.Frame, body);
}

function messageRecord(input: MessageRecordInput, cat = catalogue): Buffer {
  const body = Buffer.alloc(measureMessageBody(input));
  writeMessageBody(body, 0, input, cat);
  return encodeRecord(RecordType.Message, body);
}

function bodyOf(record: Buffer): Buffer {
  expect(recordIntact(record, 0, record.length - RECORD_HEADER_LENGTH)).toBe(true);
  return record.subarray(RECORD_HEADER_LENGTH);
}

/** A frame with every field away from its default. */
function everyFieldFrame(): CapturedFrame {
  return {
    direction: 'send',
    time: 1_700_000_000_123.25,
    injected: true,
    edited: true,
    dropped: true,
    frame: {
      fin: false, rsv1: true, rsv2: true, rsv3: true, opcode: 0x8, masked: true,
      maskKey: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
      payloadLength: 2 ** 40 + 3, lengthForm: 64, headerLength: 14,
      index: 123_456, offset: 2 ** 45 + 17,
      payload: Buffer.from([0x03, 0xe9, 0x68, 0xc3, 0xa9]),
      truncated: true,
      closeCode: 1001, closeReason: 'hé',
      violations: ['control-frame-too-long', 'fragmented-control-frame', 'rsv1-on-control-frame', 'non-minimal-length'],
    },
  };
}

describe('the file header', () => {
  it('is the magic FSCAPTUR, version 2 and four zero bytes', () => {
    expect(encodeFileHeader().toString('hex')).toBe(Buffer.from('FSCAPTUR').toString('hex') + '02000000' + '00000000');
    expect(encodeFileHeader().length).toBe(FILE_HEADER_LENGTH);
  });

  it('is refused when the magic is wrong', () => {
    const header = encodeFileHeader();
    header[0] = 0x58;
    expect(() => checkFileHeader(header)).toThrow(/not a Framescope capture file/);
  });

  it('is refused when the version is newer than this code reads', () => {
    const header = encodeFileHeader();
    header.writeUInt32LE(3, 8);
    expect(() => checkFileHeader(header)).toThrow(/version 3 is newer/);
  });

  it('of version 1 (payloads never masked) is read', () => {
    const header = encodeFileHeader();
    header.writeUInt32LE(1, 8);
    expect(() => checkFileHeader(header)).not.toThrow();
  });
});

describe('the record header', () => {
  it('is the CRC-32 of what follows it, the body length and the type', () => {
    const record = encodeRecord(RecordType.Error, Buffer.from('{}'));
    expect(record.subarray(4).toString('hex')).toBe('0200000005' + Buffer.from('{}').toString('hex'));
    expect(record.readUInt32LE(0)).toBe(crc32(Buffer.from([2, 0, 0, 0, 5, 0x7b, 0x7d])));
    expect(readRecordHeader(record, 0)).toEqual({ crc: record.readUInt32LE(0), length: 2, type: 5 });
  });

  it('of a checkpoint holds the CRC and length of the bytes since the previous one', () => {
    const span = Buffer.from('some records');
    const record = encodeCheckpoint(crc32(span), span.length);
    expect(readRecordHeader(record, 0)).toMatchObject({ length: 12, type: RecordType.Checkpoint });
    expect(decodeCheckpointBody(bodyOf(record))).toEqual({ crc: crc32(span), spanLength: 12 });
  });

  it('fails its CRC when any byte of the body or header changes', () => {
    const record = frameRecord({ connectionId: 7, captured: everyFieldFrame(), storePayload: true });
    for (let i = 0; i < record.length; i++) {
      if (i < 4) continue; // the CRC itself
      const damaged = Buffer.from(record);
      damaged[i] ^= 0x01;
      expect(recordIntact(damaged, 0, record.length - RECORD_HEADER_LENGTH), `byte ${i}`).toBe(false);
    }
  });
});

describe('frame records', () => {
  it('round-trip every Frame field and the injected, edited and dropped flags', () => {
    const captured = everyFieldFrame();
    const decoded = decodeFrameBody(bodyOf(frameRecord({ connectionId: 4_000_000_000, captured, storePayload: true })), catalogue);
    expect(decoded.connectionId).toBe(4_000_000_000);
    expect(decoded.captured).toStrictEqual(captured);
    expect(decoded.payloadNotStored).toBe(false);
    expect(decoded.storedLength).toBe(5);
  });

  it('lay out a minimal unmasked text frame byte for byte', () => {
    const captured: CapturedFrame = {
      direction: 'receive', time: 1,
      frame: {
        fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: false, payloadLength: 2, lengthForm: 7,
        headerLength: 2, index: 0, offset: 0, payload: Buffer.from('hi'), truncated: false, violations: [],
      },
    };
    const body = bodyOf(frameRecord({ connectionId: 1, captured, storePayload: true }));
    const expected = Buffer.alloc(FRAME_FIXED_LENGTH + 2);
    expected.writeUInt32LE(1, 0); // connection
    expected.writeUInt32LE(0b11, 4); // receive | fin
    expected[8] = 1; // opcode
    expected[9] = 7; // length form
    expected[10] = 2; // header length
    expected.writeDoubleLE(1, 12); // time
    expected.writeDoubleLE(2, 20); // payloadLength
    expected.write('hi', FRAME_FIXED_LENGTH);
    expect(body.toString('hex')).toBe(expected.toString('hex'));
  });

  it('round-trip a close frame with a code and a reason, and one with neither', () => {
    const withCode = everyFieldFrame();
    withCode.frame = { ...withCode.frame, fin: true, rsv1: false, rsv2: false, rsv3: false, violations: [], closeCode: 4999, closeReason: 'bye — ok' };
    expect(decodeFrameBody(bodyOf(frameRecord({ connectionId: 1, captured: withCode, storePayload: true })), catalogue).captured)
      .toStrictEqual(withCode);
    const bare: CapturedFrame = { ...withCode, frame: { ...withCode.frame, payload: Buffer.alloc(0), payloadLength: 0 } };
    delete bare.frame.closeCode;
    delete bare.frame.closeReason;
    const decoded = decodeFrameBody(bodyOf(frameRecord({ connectionId: 1, captured: bare, storePayload: true })), catalogue).captured;
    expect(decoded).toStrictEqual(bare);
    expect('closeCode' in decoded.frame).toBe(false);
  });

  it('round-trip an empty payload', () => {
    const captured: CapturedFrame = {
      direction: 'receive', time: 5,
      frame: {
        fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 0xa, masked: false, payloadLength: 0, lengthForm: 7,
        headerLength: 2, index: 3, offset: 99, payload: Buffer.alloc(0), truncated: false, violations: [],
      },
    };
    const record = frameRecord({ connectionId: 2, captured, storePayload: true });
    expect(record.length).toBe(RECORD_HEADER_LENGTH + FRAME_FIXED_LENGTH);
    expect(decodeFrameBody(bodyOf(record), catalogue).captured).toStrictEqual(captured);
  });

  it('round-trip a payload capped below the length field, truncated', () => {
    const captured: CapturedFrame = {
      direction: 'send', time: 5,
      frame: {
        fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 2, masked: true, maskKey: Buffer.from([1, 2, 3, 4]),
        payloadLength: 70_000, lengthForm: 64, headerLength: 14, index: 0, offset: 0,
        payload: Buffer.alloc(1000, 0xab), truncated: true, violations: ['non-minimal-length'],
      },
    };
    const decoded = decodeFrameBody(bodyOf(frameRecord({ connectionId: 2, captured, storePayload: true })), catalogue);
    expect(decoded.captured).toStrictEqual(captured);
    expect(decoded.storedLength).toBe(1000);
  });

  it('keep every header field but no payload bytes when the payload is not stored', () => {
    const captured = everyFieldFrame();
    captured.frame.truncated = false;
    const record = frameRecord({ connectionId: 1, captured, storePayload: false });
    const decoded = decodeFrameBody(bodyOf(record), catalogue);
    expect(decoded.payloadNotStored).toBe(true);
    expect(decoded.captured.frame.payload.length).toBe(0);
    expect(decoded.captured.frame.truncated).toBe(true);
    expect(decoded.captured.frame.payloadLength).toBe(captured.frame.payloadLength);
    expect(decoded.captured.frame.closeReason).toBe('hé');
  });

  it('keep wire bytes as they came: masked ones with their key and the masked flag, read back unmasked', () => {
    const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
    const text = Buffer.from('Hello, wire! spanning two chunks');
    const masked = Buffer.from(text.map((b, i) => b ^ key[i % 4]!));
    // Two views of the chunks it came in, split off the key's 4-byte rhythm.
    const chunkA = Buffer.concat([Buffer.from([0x81, 0x80 | text.length]), key, masked.subarray(0, 7)]);
    const chunkB = masked.subarray(7);
    const captured: CapturedFrame = {
      direction: 'send', time: 9,
      frame: {
        fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: true, maskKey: key, payloadLength: text.length, lengthForm: 7,
        headerLength: 6, index: 0, offset: 0, payload: Buffer.alloc(0), truncated: false, violations: [],
        wire: { parts: [chunkA.subarray(6), chunkB], maskKey: key, length: text.length },
      },
    };
    const body = bodyOf(frameRecord({ connectionId: 3, captured, storePayload: true }));
    expect(body.readUInt32LE(4) & FrameFlag.PayloadMasked).toBe(FrameFlag.PayloadMasked);
    expect(body.subarray(FRAME_FIXED_LENGTH).toString('hex')).toBe(masked.toString('hex'));
    const decoded = decodeFrameBody(body, catalogue);
    expect(decoded.captured.frame.payload.toString()).toBe('Hello, wire! spanning two chunks');
    expect(decoded.captured.frame.maskKey).toEqual(key);
    expect(decoded.captured.frame.wire).toBeUndefined();
    expect(decoded.storedLength).toBe(text.length);
    // A prefix (a list row's preview) is unmasked as far as it goes.
    expect(decodeFrameBody(body.subarray(0, FRAME_FIXED_LENGTH + 5), catalogue, body.length).captured.frame.payload.toString()).toBe('Hello');
  });

  it('keep unmasked wire bytes (a server frame) as they are, without the masked flag', () => {
    const captured: CapturedFrame = {
      direction: 'receive', time: 9,
      frame: {
        fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 2, masked: false, payloadLength: 4, lengthForm: 7,
        headerLength: 2, index: 0, offset: 0, payload: Buffer.alloc(0), truncated: false, violations: [],
        wire: { parts: [Buffer.from([1, 2]), Buffer.from([3, 4])], length: 4 },
      },
    };
    const body = bodyOf(frameRecord({ connectionId: 3, captured, storePayload: true }));
    expect(body.readUInt32LE(4) & FrameFlag.PayloadMasked).toBe(0);
    expect(decodeFrameBody(body, catalogue).captured.frame.payload).toEqual(Buffer.from([1, 2, 3, 4]));
  });

  it('decode a prefix of the body: the fields whole, the payload as far as it goes', () => {
    const captured = everyFieldFrame();
    const body = bodyOf(frameRecord({ connectionId: 1, captured, storePayload: true }));
    const decoded = decodeFrameBody(body.subarray(0, body.length - 3), catalogue, body.length);
    expect(decoded.captured.frame.payload).toEqual(Buffer.from([0x03, 0xe9]));
    expect(decoded.storedLength).toBe(5);
    expect(decoded.captured.frame.closeCode).toBe(1001);
  });
});

describe('violation codes in records', () => {
  it('are stored as ordinals into the file catalogue and read back by name after a reordering', () => {
    // A file written when the catalogue listed these two codes in this order.
    const old = new ViolationCatalogue(['invalid-utf8', 'reserved-opcode']);
    const captured = everyFieldFrame();
    captured.frame.violations = ['reserved-opcode', 'invalid-utf8'];
    const body = bodyOf(frameRecord({ connectionId: 1, captured, storePayload: true }, old));
    expect([...body.subarray(FRAME_FIXED_LENGTH, FRAME_FIXED_LENGTH + 2)]).toEqual([1, 0]);
    const reread = decodeCatalogueBody(encodeCatalogueBody(old));
    expect(decodeFrameBody(body, reread).captured.frame.violations).toEqual(['reserved-opcode', 'invalid-utf8']);
    expect(reread.maskBitOf(1)).toBe(1 << VIOLATION_CODES.indexOf('reserved-opcode'));
  });

  it('make a 32-bit mask in catalogue order', () => {
    expect(VIOLATION_CODES.length).toBeLessThan(32);
    expect(violationBit(VIOLATION_CODES[0])).toBe(0);
    expect(violationMask(['masked-server-frame', 'invalid-utf8'])).toBe((1 << VIOLATION_CODES.indexOf('masked-server-frame')) | (1 << VIOLATION_CODES.indexOf('invalid-utf8')));
    expect(violationBit('no-such-code')).toBe(-1);
  });

  it('keep old ordinals when a catalogue grows', () => {
    const cat = new ViolationCatalogue(['invalid-utf8']);
    expect(cat.add('reserved-opcode')).toBe(1);
    expect(cat.add('invalid-utf8')).toBe(0);
    expect(cat.names).toEqual(['invalid-utf8', 'reserved-opcode']);
    expect(cat.coversCurrent()).toBe(false);
    expect(new ViolationCatalogue().coversCurrent()).toBe(true);
  });
});

describe('message records', () => {
  const message = (over: Partial<CapturedMessage['message']> = {}): CapturedMessage => ({
    direction: 'receive',
    time: 1_700_000_000_500.5,
    message: {
      opcode: 1, data: Buffer.from('héllo wörld'), truncated: false, compressed: true, size: 13,
      frameIndexes: [4, 6, 7], violations: ['invalid-utf8', 'inflate-failed'], ...over,
    },
  });

  it('round-trip with their data, frame indexes, frame numbers and violations', () => {
    const captured = message();
    const record = messageRecord({ connectionId: 9, captured, frameNumbers: [10, 12, 13], anchorFrame: 13, dataFromFrames: false, storeData: true });
    const decoded = decodeMessageBody(bodyOf(record), catalogue);
    expect(decoded).toStrictEqual({ connectionId: 9, captured, frameNumbers: [10, 12, 13], anchorFrame: 13, dataFromFrames: false, dataNotStored: false });
  });

  it('hold a flag instead of the data when it is their frames\u2019 payloads', () => {
    const captured = message({ compressed: false, data: Buffer.alloc(5000, 0x61), size: 5000, violations: [] });
    const record = messageRecord({ connectionId: 1, captured, frameNumbers: [0, 1, 2], anchorFrame: 2, dataFromFrames: true, storeData: true });
    expect(record.length).toBe(RECORD_HEADER_LENGTH + MESSAGE_FIXED_LENGTH + 3 * 8 + 3 * 4);
    const decoded = decodeMessageBody(bodyOf(record), catalogue);
    expect(decoded.dataFromFrames).toBe(true);
    expect(decoded.captured.message.data.length).toBe(0);
    expect(decoded.captured.message.size).toBe(5000);
    expect(decoded.frameNumbers).toEqual([0, 1, 2]);
  });

  it('round-trip a truncated message and one whose frames are unknown', () => {
    const captured = message({ truncated: true, size: 1e9, violations: ['message-too-large'] });
    const decoded = decodeMessageBody(bodyOf(messageRecord({ connectionId: 1, captured, frameNumbers: null, anchorFrame: 41, dataFromFrames: false, storeData: true })), catalogue);
    expect(decoded.captured).toStrictEqual(captured);
    expect(decoded.frameNumbers).toEqual([]);
    expect(decoded.anchorFrame).toBe(41);
  });

  it('mark data that was not stored, and report it truncated', () => {
    const captured = message();
    const decoded = decodeMessageBody(bodyOf(messageRecord({ connectionId: 1, captured, frameNumbers: [1, 2, 3], anchorFrame: 3, dataFromFrames: false, storeData: false })), catalogue);
    expect(decoded.dataNotStored).toBe(true);
    expect(decoded.captured.message.data.length).toBe(0);
    expect(decoded.captured.message.truncated).toBe(true);
    expect(decoded.captured.message.size).toBe(13);
  });
});

describe('connection and error records', () => {
  it('round-trip a connection record without its frames and messages, the response body as bytes', () => {
    const connection: ConnectionRecord = {
      id: 3, url: 'wss://example.test/chat?x=1', clientAddress: '127.0.0.1:5000', serverAddress: '93.184.216.34:443',
      startedAt: 1000, state: 'failed',
      request: { method: 'GET', target: '/chat?x=1', httpVersion: '1.1', rawHeaders: ['Host', 'example.test', 'Upgrade', 'websocket'], time: 1000 },
      response: { statusCode: 403, statusMessage: 'Forbidden', httpVersion: '1.1', rawHeaders: ['Content-Type', 'text/plain'], body: Buffer.from([0, 1, 255]), time: 1010 },
      checks: [{ id: 'status-101', ok: false, message: 'expected 101, got 403', rfc: 'RFC 6455 §4.1' }],
      protocol: 'chat', extensions: 'permessage-deflate', tls: { verified: false, error: 'SELF_SIGNED', insecure: true },
      error: 'refused', frames: [everyFieldFrame()], messages: [], close: { code: 1006, reason: '', closedBy: 'server' }, endedAt: 1020,
    };
    const decoded = decodeConnectionBody(encodeConnectionBody(connection));
    expect(decoded).toStrictEqual({ ...connection, frames: [], messages: [] });
    expect(Buffer.isBuffer(decoded.response!.body)).toBe(true);
  });

  it('round-trip errors with and without a connection', () => {
    expect(decodeErrorBody(encodeErrorBody({ message: 'bad request line', time: 12 }))).toStrictEqual({ message: 'bad request line', time: 12 });
    expect(decodeErrorBody(encodeErrorBody({ message: 'x', connectionId: 4, time: 13 }))).toStrictEqual({ message: 'x', connectionId: 4, time: 13 });
  });
});

describe('arrival times of held and queued traffic', () => {
  it('round-trip on a frame, after the close reason and before the payload, and leave a prefix readable', () => {
    const captured: CapturedFrame = { ...everyFieldFrame(), time: 1_700_000_000_500, arrivedAt: 1_700_000_000_123.5 };
    const body = bodyOf(frameRecord({ connectionId: 1, captured, storePayload: true }));
    expect(body.readUInt32LE(4) & FrameFlag.HasArrivedAt).toBe(FrameFlag.HasArrivedAt);
    const at = FRAME_FIXED_LENGTH + 4 + Buffer.byteLength('hé');
    expect(body.readDoubleLE(at)).toBe(1_700_000_000_123.5);
    expect(body.subarray(at + 8).equals(captured.frame.payload)).toBe(true);
    expect(frameBodyPrefixLength(body)).toBe(at + 8);
    expect(decodeFrameBody(body, catalogue).captured).toStrictEqual(captured);
    const prefix = decodeFrameBody(body.subarray(0, at + 8 + 2), catalogue, body.length);
    expect(prefix.captured.arrivedAt).toBe(1_700_000_000_123.5);
    expect(prefix.captured.frame.payload).toEqual(Buffer.from([0x03, 0xe9]));
    expect(prefix.storedLength).toBe(5);
  });

  it('round-trip on a message, after the frame numbers and before the data', () => {
    const captured: CapturedMessage = {
      direction: 'send', time: 1_700_000_000_900, arrivedAt: 1_700_000_000_400,
      message: { opcode: 1, data: Buffer.from('held'), truncated: false, compressed: false, size: 4, frameIndexes: [3], violations: [] },
    };
    const record = messageRecord({ connectionId: 2, captured, frameNumbers: [5], anchorFrame: 5, dataFromFrames: false, storeData: true });
    expect(record.length).toBe(RECORD_HEADER_LENGTH + MESSAGE_FIXED_LENGTH + 8 + 4 + 8 + 4);
    const decoded = decodeMessageBody(bodyOf(record), catalogue);
    expect(decoded).toStrictEqual({ connectionId: 2, captured, frameNumbers: [5], anchorFrame: 5, dataFromFrames: false, dataNotStored: false });
  });

  it('are absent from records of traffic that went on as it came, which keep the old layout', () => {
    const plain = everyFieldFrame();
    const body = bodyOf(frameRecord({ connectionId: 1, captured: plain, storePayload: true }));
    expect(body.readUInt32LE(4) & FrameFlag.HasArrivedAt).toBe(0);
    expect(body.length).toBe(FRAME_FIXED_LENGTH + 4 + Buffer.byteLength('hé') + 5);
    expect('arrivedAt' in decodeFrameBody(body, catalogue).captured).toBe(false);
  });
});
