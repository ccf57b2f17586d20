// A synchronous structural check of a GGUF file (magic, version, metadata, tensor table, and that the file is
// long enough for the tensors it declares), so a wrong or truncated model file is refused before a run starts
// instead of failing inside llama.cpp. Reads only the header, in chunks; weights are never read.
import fs from 'node:fs';

const GGUF_MAGIC = 'GGUF';
const CHUNK = 1 << 16;

/** Value types of GGUF metadata, by their numeric tag. Fixed sizes; 8 = string, 9 = array. */
const FIXED_VALUE_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING_TYPE = 8;
const ARRAY_TYPE = 9;

/** [elements per block, bytes per block] of the ggml tensor types whose layout is certain; others are not size-checked. */
const TENSOR_TYPE_SIZES: Record<number, [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  30: [1, 2], // BF16
};

class HeaderTruncated extends Error {}

/** Sequential little-endian reads from a file descriptor through a sliding buffer. */
class FileReader {
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;
  position = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  private ensure(length: number): void {
    const end = this.position + length;
    if (end > this.size) throw new HeaderTruncated();
    if (this.position >= this.bufferStart && end <= this.bufferStart + this.buffer.length) return;
    const want = Math.max(length, CHUNK);
    this.buffer = Buffer.alloc(Math.min(want, this.size - this.position));
    this.bufferStart = this.position;
    fs.readSync(this.fd, this.buffer, 0, this.buffer.length, this.position);
  }

  private view(length: number): number {
    this.ensure(length);
    const offset = this.position - this.bufferStart;
    this.position += length;
    return offset;
  }

  // `view` may replace the buffer, so it is called before the buffer is read.
  u32(): number {
    const offset = this.view(4);
    return this.buffer.readUInt32LE(offset);
  }

  u64(): number {
    const offset = this.view(8);
    const value = this.buffer.readBigUInt64LE(offset);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('a length in the header is impossibly large');
    return Number(value);
  }

  string(): string {
    const length = this.u64();
    if (length > 1 << 24) throw new Error('a string in the header is impossibly long');
    const offset = this.view(length);
    return this.buffer.toString('utf8', offset, offset + length);
  }

  skip(length: number): void {
    if (this.position + length > this.size) throw new HeaderTruncated();
    this.position += length;
  }
}

function skipValue(reader: FileReader, type: number, alignmentOut: { value?: number }, key: string): void {
  const fixed = FIXED_VALUE_SIZES[type];
  if (fixed !== undefined) {
    if (key === 'general.alignment' && type === 4) alignmentOut.value = reader.u32();
    else reader.skip(fixed);
    return;
  }
  if (type === STRING_TYPE) {
    reader.skip(reader.u64());
    return;
  }
  if (type === ARRAY_TYPE) {
    const elementType = reader.u32();
    const count = reader.u64();
    const elementSize = FIXED_VALUE_SIZES[elementType];
    if (elementSize !== undefined) reader.skip(elementSize * count);
    else if (elementType === STRING_TYPE) for (let i = 0; i < count; i++) reader.skip(reader.u64());
    else throw new Error(`metadata '${key}' has an array of unknown type ${elementType}`);
    return;
  }
  throw new Error(`metadata '${key}' has unknown value type ${type}`);
}

/** Verdicts by path, size and modification time: a large model's header (its whole vocabulary) is read once. */
const verdicts = new Map<string, string | undefined>();

/** Why `file` is not a usable GGUF model (one sentence), or undefined when its header and length are sound. */
export function checkGgufHeader(file: string): string | undefined {
  let key: string | undefined;
  try {
    const stat = fs.statSync(file);
    key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
  } catch {
    // reported by readGgufHeader
  }
  if (key !== undefined && verdicts.has(key)) return verdicts.get(key);
  const verdict = readGgufHeader(file);
  if (key !== undefined) verdicts.set(key, verdict);
  return verdict;
}

function readGgufHeader(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    return `cannot be opened: ${(error as Error).message}`;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const reader = new FileReader(fd, size);
    const magic = Buffer.alloc(4);
    fs.readSync(fd, magic, 0, 4, 0);
    if (size < 4 || magic.toString('latin1') !== GGUF_MAGIC) return 'is not a GGUF model file (it does not start with "GGUF")';
    reader.skip(4);
    const version = reader.u32();
    if (version < 2 || version > 3) return `is GGUF version ${version}; llama.cpp reads versions 2 and 3`;
    const tensorCount = reader.u64();
    const metadataCount = reader.u64();
    const alignment: { value?: number } = {};
    for (let i = 0; i < metadataCount; i++) {
      const key = reader.string();
      skipValue(reader, reader.u32(), alignment, key);
    }
    let dataEnd = 0;
    for (let i = 0; i < tensorCount; i++) {
      reader.string();
      const dimensions = reader.u32();
      if (dimensions > 8) throw new Error(`tensor ${i} has ${dimensions} dimensions`);
      let elements = 1;
      for (let d = 0; d < dimensions; d++) elements *= reader.u64();
      const type = reader.u32();
      const offset = reader.u64();
      const layout = TENSOR_TYPE_SIZES[type];
      if (layout) dataEnd = Math.max(dataEnd, offset + Math.ceil(elements / layout[0]) * layout[1]);
    }
    const align = alignment.value && alignment.value > 0 ? alignment.value : 32;
    const dataStart = Math.ceil(reader.position / align) * align;
    if (dataStart + dataEnd > size) {
      return `is truncated: its tensors need ${dataStart + dataEnd} bytes but the file has ${size} (an interrupted download?)`;
    }
    return undefined;
  } catch (error) {
    if (error instanceof HeaderTruncated) return 'is truncated inside its header (an interrupted download?)';
    return `has a corrupt GGUF header: ${(error as Error).message}`;
  } finally {
    fs.closeSync(fd);
  }
}
