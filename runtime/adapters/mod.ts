/**
 * Tool definitions and handlers for people who run their own agent loop: `search_tools` and `execute_code` in the
 * Anthropic Messages API shape and in the OpenAI function / Vercel AI SDK shape. None of those SDKs is a dependency.
 *
 * @module
 */

export {
  type AgentToolDefinition,
  agentToolDefinitions,
  type AgentToolResult,
  runAgentTool,
  type RunAgentToolOptions,
} from "./agent_tools.ts";
export {
  type AnthropicTool,
  type AnthropicToolResult,
  anthropicTools,
  type AnthropicToolUse,
  handleAnthropicToolUse,
} from "./anthropic.ts";
export {
  handleOpenAIToolCall,
  type OpenAITool,
  type OpenAIToolCall,
  type OpenAIToolMessage,
  openAITools,
  type VercelAITool,
  vercelAITools,
} from "./openai.ts";
