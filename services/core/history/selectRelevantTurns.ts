/**
 * Semantic history selection as a pure function: the newest turns verbatim, plus the older turns most similar to the
 * query. Mirrors the original's session RAG (recent window excluded from the search, similarity threshold), without
 * its storage.
 */

/** A turn of a session as selection sees it; extra fields of the caller's type are kept in the output. */
export interface HistoryTurn {
  id: string;
  role: "user" | "assistant";
  text: string;
  /** The turn's embedding; turns without one can be kept as recent but are never recalled. */
  vector?: ArrayLike<number>;
}

/** Options for {@link selectRelevantTurns}. */
export interface SelectRelevantTurnsOptions<T extends HistoryTurn> {
  /** The session's turns, oldest first. */
  turns: readonly T[];
  /** Embedding of the new user text (same model as the turns' vectors). */
  queryVector: ArrayLike<number>;
  /** How many of the newest turns to keep verbatim (not searched). */
  keepRecent: number;
  /** At most this many older turns are recalled. */
  topK: number;
  /** A turn is recalled only if its cosine similarity is strictly above this (the original used 0.15). */
  minSimilarity: number;
}

/** An older turn recalled by similarity. */
export interface RecalledHistoryTurn<T extends HistoryTurn> {
  turn: T;
  /** Cosine similarity to the query, in [-1, 1]. */
  similarity: number;
}

/** The selection: `recent` and `recalled` never share a turn. */
export interface RelevantTurns<T extends HistoryTurn> {
  /** The last `keepRecent` turns, in session order. */
  recent: T[];
  /**
   * The best `topK` older turns, in **session order** (oldest first), so a prompt reads them as a timeline;
   * sort by `similarity` if rank matters. Among equally similar turns the newer one wins a place.
   */
  recalled: Array<RecalledHistoryTurn<T>>;
}

/** Cosine similarity of two equal-length vectors; 0 when either is all zeros. Throws on a length mismatch. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vector lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) return 0;
  const similarity = dot / Math.sqrt(normA * normB);
  return Math.max(-1, Math.min(1, similarity)); // rounding can step just outside [-1, 1]
}

const count = (n: number): number => (Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0);

/**
 * Picks the history for a prompt. Older turns are searched only if they have a vector of the query's length (vectors
 * from another model, or none, are skipped) and a finite similarity above `minSimilarity`.
 */
export function selectRelevantTurns<T extends HistoryTurn>(options: SelectRelevantTurnsOptions<T>): RelevantTurns<T> {
  const { turns, queryVector } = options;
  const keepRecent = count(options.keepRecent);
  const topK = count(options.topK);
  const split = Math.max(0, turns.length - keepRecent);
  const recent = turns.slice(split);
  if (topK === 0 || queryVector.length === 0) return { recent, recalled: [] };

  const candidates: Array<{ index: number; similarity: number }> = [];
  for (let index = 0; index < split; index++) {
    const vector = turns[index]!.vector;
    if (!vector || vector.length !== queryVector.length) continue;
    const similarity = cosineSimilarity(queryVector, vector);
    if (Number.isFinite(similarity) && similarity > options.minSimilarity) candidates.push({ index, similarity });
  }
  const best = candidates.sort((a, b) => b.similarity - a.similarity || b.index - a.index).slice(0, topK);
  best.sort((a, b) => a.index - b.index);
  return { recent, recalled: best.map(({ index, similarity }) => ({ turn: turns[index]!, similarity })) };
}
