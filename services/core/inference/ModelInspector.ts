import type { ChatWrapper, Llama, LlamaChat, LlamaModel, Token } from "node-llama-cpp";
import type { EngineInspector, ModelDescription, SlotDescription, TokenizeOptions } from "./EngineInspector.js";
import { InvalidTokenError } from "./InvalidTokenError.js";
import type { PromptMessage } from "./PromptMessage.js";
import type { SlotPool } from "./SlotPool.js";
import { vocabEntryBytes } from "./tokenPieceBytes.js";

/** How much of a slot's cached text /slots shows: enough to recognise a conversation, never a whole prompt. */
const SLOT_PREFIX_TOKENS = 48;
const SLOT_PREFIX_CHARS = 120;

/**
 * What llama-server's ops endpoints (/tokenize, /detokenize, /apply-template, /props, /slots) show of the loaded model:
 * its tokenizer, chat template and slots, read-only.
 */
export class ModelInspector implements EngineInspector {
  constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly chatWrapper: ChatWrapper,
    private readonly pool: SlotPool<LlamaChat>,
    /** The tokens `messages` become with the chat template: the engine's own rendering, what chat evaluates. */
    private readonly promptTokens: (messages: readonly PromptMessage[]) => Token[],
  ) {}

  tokenizeText(text: string, { addSpecial, parseSpecial }: TokenizeOptions): number[] {
    const tokens: number[] = this.model.tokenize(text, parseSpecial);
    const { bos, eos, shouldPrependBosToken, shouldAppendEosToken } = this.model.tokens;
    if (addSpecial && shouldPrependBosToken && bos !== null) tokens.unshift(bos);
    if (addSpecial && shouldAppendEosToken && eos !== null) tokens.push(eos);
    return tokens;
  }

  tokenPiece(token: number): string | number[] {
    const text = this.detokenize([token]);
    if (!text.includes("\uFFFD")) return text;
    const tokenizer = this.model.fileInfo.metadata.tokenizer?.ggml;
    const entry = tokenizer?.tokens?.[token];
    return (entry === undefined ? null : vocabEntryBytes(entry, tokenizer?.model)) ?? [...Buffer.from(text, "utf8")];
  }

  detokenize(tokens: readonly number[]): string {
    const size = this.vocabularySize;
    const bad = tokens.find((t) => !Number.isInteger(t) || t < 0 || t >= size);
    if (bad !== undefined) throw new InvalidTokenError(bad, size); // llama.cpp reads out of bounds otherwise
    return this.model.detokenize(tokens as Token[], true);
  }

  renderPrompt(messages: readonly PromptMessage[]): string {
    return this.model.detokenize(this.promptTokens(messages), true);
  }

  describeModel(): ModelDescription {
    const template = this.model.fileInfo.metadata.tokenizer?.chat_template;
    return {
      chatTemplate: typeof template === "string" ? template : null,
      chatWrapper: this.chatWrapper.wrapperName,
      trainContextSize: this.model.trainContextSize,
      vocabularySize: this.vocabularySize,
      engineBuild: this.llama.buildType,
    };
  }

  describeSlots(): SlotDescription[] {
    return this.pool.describe().map(({ slot, owner, busy, preparing, lastUsedAt }, id) => {
      const cached = slot.sequence.contextTokens;
      const head = this.model.detokenize(cached.slice(0, SLOT_PREFIX_TOKENS), true);
      return {
        id,
        busy,
        preparing,
        session: owner,
        tokensCached: cached.length,
        promptPrefix: head.length > SLOT_PREFIX_CHARS ? `${head.slice(0, SLOT_PREFIX_CHARS)}…` : head,
        lastUsedAt,
      };
    });
  }

  private get vocabularySize(): number {
    return this.model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
  }
}
