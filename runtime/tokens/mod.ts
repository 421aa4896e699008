/**
 * Token counting (o200k_base through `gpt-tokenizer`, swappable) and the accounting of what code mode and classic
 * tool calling cost.
 *
 * @module
 */

export {
  countJsonTokens,
  countTokens,
  countTokensAsync,
  getTokenizerName,
  o200kTokenizer,
  setTokenizer,
  type Tokenizer,
} from "./tokens.ts";
export {
  codeModeTokens,
  codeModeTokensAsync,
  savedRatio,
  toolCallTokens,
  toolCallTokensAsync,
  toolDefinitionTokens,
  toolResultTokens,
  toolResultTokensAsync,
} from "./token_accounting.ts";
