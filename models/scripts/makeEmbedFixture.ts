/**
 * Generates a tiny BERT-shaped sentence-embedding model folder in the transformers.js layout, with no downloads:
 *
 *   config.json, tokenizer.json (WordPiece), tokenizer_config.json, onnx/model.onnx, onnx/model_quantized.onnx
 *
 * Graph (ONNX opset 13): last_hidden_state = ((W[input_ids] + T[token_type_ids]) · P) ⊙ attention_mask, with W random
 * word vectors, T zero and P a random orthogonal matrix. Mean-pooled and normalised (what the feature-extraction
 * pipeline does) it is a weighted bag of words: sentences sharing words are close, so semantic-history selection can be
 * tested for real. Function words get small vectors, like a crude IDF, so shared content words dominate.
 * The "quantized" file holds the same float graph: it only exists because transformers.js v2 looks for it by default.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Xoshiro128 } from "./gguf/prng.js";

type OnnxModule = typeof import("onnx-proto");
type Onnx = OnnxModule["onnx"];

/** Bumped whenever the fixture's bytes change, so stale bundled copies are regenerated. */
const EMBED_FIXTURE_GENERATOR_VERSION = 1;

/** Files of a complete fixture, relative to its folder. */
export const EMBED_FIXTURE_FILES = [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "onnx/model.onnx",
  "onnx/model_quantized.onnx",
] as const;

const DEFAULT_DIM = 128;
const DEFAULT_SEED = 20240601;

/** Options for {@link makeEmbedFixture}. */
export interface MakeEmbedFixtureOptions {
  /** Folder to write into (created if needed; existing files are overwritten). */
  outDir: string;
  /** Embedding width; defaults to 128. */
  dim?: number;
  /** PRNG seed; same options → byte-identical files. */
  seed?: number;
}

/** What was generated. */
export interface EmbedFixtureSummary {
  vocabSize: number;
  dim: number;
  onnxBytes: number;
}

/** The `gaia_generator` value written into config.json; `ensureModels` compares it to spot stale folders. */
export function embedFixtureStamp(dim = DEFAULT_DIM, seed = DEFAULT_SEED): string {
  return `gaia-core makeEmbedFixture v${EMBED_FIXTURE_GENERATOR_VERSION} dim=${dim} seed=${seed}`;
}

const SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;

/** Frequent words that carry little topic: small vectors, so two sentences do not match just on "the" and "is". */
const FUNCTION_WORDS = `the a an and or but if then else of to in on at by for with from as is are was were be been
being am i you he she it we they me him her us them my your his its our their this that these those there here what
which who whom whose when where why how not no yes do does did done have has had will would can could should may
might must shall about into over under after before again more most some any all each every other such only own same
so than too very just also now up down out off s t d ll m re ve don doesn didn isn aren wasn weren won`.split(/\s+/);

/** Content words: each gets a full-size random vector. */
const CONTENT_WORDS = `new old good bad big small long short high low first last next early late great little right left
one two three four five six seven eight nine ten hundred thousand million
time times day days week weeks month months year years today tomorrow yesterday morning evening night hour hours minute minutes
user assistant conversation message messages turn chat reply answer answers question questions ask asked help please thanks thank hello hi
weather rain raining sunny sun cloud clouds cloudy cold hot warm temperature forecast snow wind windy storm
cat cats dog dogs pet pets animal animals bird birds fish horse
food eat eating ate dinner lunch breakfast cook cooking recipe pasta pizza bread cheese coffee tea water milk apple apples
code coding program programming bug bugs fix fixed error errors test tests testing build deploy server servers database query
python javascript typescript node npm package install version library function functions api endpoint request response
model models embedding embeddings vector vectors token tokens prompt inference gpu cpu memory fast slow latency speed
file files folder directory path disk docker container image volume network port
music song songs play playing played guitar piano movie movies film films book books read reading write writing story stories
travel trip flight flights hotel city cities paris london tokyo berlin train car bus plane airport
price prices cost money pay buy sell order shop store cheap expensive
doctor health sleep sleeping run running walk walking exercise sport football tennis
family mother father sister brother friend friends child children kids baby school teacher student class
house home room kitchen garden door window table chair bed
work job office meeting meetings project projects team manager email emails calendar schedule plan
computer phone laptop screen keyboard internet website password account login reset
color red blue green yellow black white
river sea ocean mountain mountains forest tree trees lake beach island
favorite like likes love hate want wants need needs know think make get go goes see come take give use find tell try call
remember forget learn learning teach explain summary summarize document documents
happy sad angry tired hungry busy ready sure
gaia core primary candidate gateway session sessions history packet packets health failover backup`.split(/\s+/);

const CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789".split("");
const PUNCTUATION = ".,!?;:'\"()-/".split("");

/** The WordPiece vocabulary in id order, and each token's vector scale. */
function buildVocabulary(): { tokens: string[]; scales: number[] } {
  const tokens: string[] = [];
  const scales: number[] = [];
  const seen = new Set<string>();
  const add = (token: string, scale: number): void => {
    if (token === "" || seen.has(token)) return;
    seen.add(token);
    tokens.push(token);
    scales.push(scale);
  };
  for (const t of SPECIAL_TOKENS) add(t, 0); // zero vectors: [CLS]/[SEP] never move the mean's direction
  for (const t of FUNCTION_WORDS) add(t, 0.25);
  for (const t of CONTENT_WORDS) add(t, 1);
  for (const c of CHARACTERS) add(c, 0.3); // unknown words fall back to characters: they count, but little
  for (const c of CHARACTERS) add(`##${c}`, 0.3);
  for (const p of PUNCTUATION) add(p, 0.1);
  return { tokens, scales };
}

/** Random orthogonal matrix (Gram–Schmidt on Gaussian rows), row-major. */
function orthogonalMatrix(dim: number, rng: Xoshiro128): Float32Array {
  const rows: Float64Array[] = [];
  for (let r = 0; r < dim; r++) {
    const v = Float64Array.from({ length: dim }, () => rng.nextGaussian());
    for (const u of rows) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += v[k]! * u[k]!;
      for (let k = 0; k < dim; k++) v[k]! -= dot * u[k]!;
    }
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += v[k]! * v[k]!;
    norm = Math.sqrt(norm);
    for (let k = 0; k < dim; k++) v[k]! /= norm;
    rows.push(v);
  }
  const out = new Float32Array(dim * dim);
  for (const [r, row] of rows.entries()) out.set(row, r * dim);
  return out;
}

/** onnx-proto is a CommonJS dev dependency, loaded only when a fixture is actually generated. */
function loadOnnxProto(): Onnx {
  try {
    const require = createRequire(import.meta.url);
    return (require("onnx-proto") as OnnxModule).onnx;
  } catch (error) {
    throw new Error(
      `onnx-proto (a dev dependency) cannot be loaded, so the embedding fixture cannot be generated: ${(error as Error).message.split("\n")[0]}`,
    );
  }
}

function encodeGraph(
  onnx: Onnx,
  vocabSize: number,
  dim: number,
  wordEmbeddings: Float32Array,
  projection: Float32Array,
): Uint8Array {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INT64 = onnx.TensorProto.DataType.INT64;
  const floatTensor = (name: string, dims: number[], data: Float32Array) =>
    onnx.TensorProto.create({
      name,
      dims,
      dataType: FLOAT,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
  const valueInfo = (name: string, elemType: number, dims: Array<string | number>) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType,
          shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
        },
      },
    });
  const intAttribute = (name: string, i: number) =>
    onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  const node = (opType: string, input: string[], output: string, attribute: ReturnType<typeof intAttribute>[] = []) =>
    onnx.NodeProto.create({ opType, input, output: [output], name: `${output}_node`, attribute });

  const graph = onnx.GraphProto.create({
    name: "gaia_embed_fixture_bag_of_words",
    node: [
      node("Gather", ["word_embeddings", "input_ids"], "word_vectors", [intAttribute("axis", 0)]),
      node("Gather", ["token_type_embeddings", "token_type_ids"], "type_vectors", [intAttribute("axis", 0)]),
      node("Add", ["word_vectors", "type_vectors"], "embeddings"),
      node("MatMul", ["embeddings", "projection"], "hidden"),
      node("Cast", ["attention_mask"], "mask_float", [intAttribute("to", FLOAT)]),
      node("Unsqueeze", ["mask_float", "unsqueeze_axes"], "mask_3d"),
      node("Mul", ["hidden", "mask_3d"], "last_hidden_state"),
    ],
    initializer: [
      floatTensor("word_embeddings", [vocabSize, dim], wordEmbeddings),
      floatTensor("token_type_embeddings", [2, dim], new Float32Array(2 * dim)),
      floatTensor("projection", [dim, dim], projection),
      onnx.TensorProto.create({ name: "unsqueeze_axes", dims: [1], dataType: INT64, int64Data: [-1] }),
    ],
    input: [
      valueInfo("input_ids", INT64, ["batch_size", "sequence_length"]),
      valueInfo("attention_mask", INT64, ["batch_size", "sequence_length"]),
      valueInfo("token_type_ids", INT64, ["batch_size", "sequence_length"]),
    ],
    output: [valueInfo("last_hidden_state", FLOAT, ["batch_size", "sequence_length", dim])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: "gaia-core/makeEmbedFixture",
    producerVersion: String(EMBED_FIXTURE_GENERATOR_VERSION),
    opsetImport: [{ domain: "", version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** tokenizer.json for a lower-casing BERT WordPiece tokenizer ([CLS] text [SEP]). */
function tokenizerJson(tokens: readonly string[]): object {
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  const id = (t: string): number => vocab[t]!;
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [id("[CLS]")], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [id("[SEP]")], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

/** Writes the fixture folder and returns a summary. Throws on I/O errors or when onnx-proto is not installed. */
export function makeEmbedFixture(options: MakeEmbedFixtureOptions): EmbedFixtureSummary {
  const dim = options.dim ?? DEFAULT_DIM;
  const seed = options.seed ?? DEFAULT_SEED;
  const onnx = loadOnnxProto();
  const rng = new Xoshiro128(seed);

  const { tokens, scales } = buildVocabulary();
  const wordEmbeddings = new Float32Array(tokens.length * dim);
  scales.forEach((scale, i) => {
    if (scale === 0) return;
    for (let d = 0; d < dim; d++) wordEmbeddings[i * dim + d] = rng.nextGaussian() * scale;
  });
  const onnxBytes = encodeGraph(onnx, tokens.length, dim, wordEmbeddings, orthogonalMatrix(dim, rng));

  const config = {
    model_type: "bert",
    architectures: ["BertModel"],
    vocab_size: tokens.length,
    hidden_size: dim,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    intermediate_size: dim,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pad_token_id: 0,
    gaia_generator: embedFixtureStamp(dim, seed),
  };
  const tokenizerConfig = {
    tokenizer_class: "BertTokenizer",
    do_lower_case: true,
    model_max_length: 512,
    clean_up_tokenization_spaces: true,
    cls_token: "[CLS]",
    sep_token: "[SEP]",
    pad_token: "[PAD]",
    unk_token: "[UNK]",
    mask_token: "[MASK]",
  };

  const out = options.outDir;
  fs.mkdirSync(path.join(out, "onnx"), { recursive: true });
  fs.writeFileSync(path.join(out, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  fs.writeFileSync(path.join(out, "tokenizer.json"), JSON.stringify(tokenizerJson(tokens)));
  fs.writeFileSync(path.join(out, "tokenizer_config.json"), `${JSON.stringify(tokenizerConfig, null, 2)}\n`);
  fs.writeFileSync(path.join(out, "onnx", "model.onnx"), onnxBytes);
  fs.writeFileSync(path.join(out, "onnx", "model_quantized.onnx"), onnxBytes);
  return { vocabSize: tokens.length, dim, onnxBytes: onnxBytes.byteLength };
}
