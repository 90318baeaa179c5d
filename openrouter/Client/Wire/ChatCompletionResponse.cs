using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTenancy.OpenRouter.Wire;

/// <summary>A non-streamed chat completion (<c>object: "chat.completion"</c>) with OpenRouter's extensions.</summary>
public sealed class ChatCompletionResponse
{
    /// <summary>The generation id (OpenRouter: <c>gen-...</c>).</summary>
    public string? Id { get; set; }

    /// <summary>Always <c>chat.completion</c>.</summary>
    [JsonPropertyName("object")]
    public string ObjectType { get; set; } = "chat.completion";

    /// <summary>Unix seconds when the completion was created.</summary>
    public long Created { get; set; }

    /// <summary>The model that actually served the request (after any fallback).</summary>
    public string? Model { get; set; }

    /// <summary>The provider that served the request (OpenRouter extension).</summary>
    public string? Provider { get; set; }

    /// <summary>The completion choices.</summary>
    public IReadOnlyList<ChatChoice> Choices { get; set; } = [];

    /// <summary>Token counts and cost.</summary>
    public ChatUsage? Usage { get; set; }

    /// <summary>An error OpenRouter reports in a 200 body when generation failed after routing.</summary>
    public OpenRouterErrorPayload? Error { get; set; }

    /// <summary>Response fields not modelled above, kept so they round-trip.</summary>
    [JsonExtensionData]
#pragma warning disable CA2227 // System.Text.Json fills extension data through the setter.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
#pragma warning restore CA2227
}

/// <summary>One choice of a non-streamed completion.</summary>
public sealed class ChatChoice
{
    /// <summary>Index of the choice.</summary>
    public int Index { get; set; }

    /// <summary>The assistant message.</summary>
    public ChatMessage? Message { get; set; }

    /// <summary><c>stop</c>, <c>length</c>, <c>tool_calls</c>, <c>content_filter</c> or <c>error</c>.</summary>
    public string? FinishReason { get; set; }

    /// <summary>The provider's own finish reason (OpenRouter extension).</summary>
    public string? NativeFinishReason { get; set; }

    /// <summary>Fields not modelled above, kept so they round-trip.</summary>
    [JsonExtensionData]
#pragma warning disable CA2227 // System.Text.Json fills extension data through the setter.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
#pragma warning restore CA2227
}

/// <summary>One server-sent event chunk of a streamed completion (<c>object: "chat.completion.chunk"</c>).</summary>
public sealed class ChatCompletionChunk
{
    /// <summary>The generation id, the same on every chunk.</summary>
    public string? Id { get; set; }

    /// <summary>Always <c>chat.completion.chunk</c>.</summary>
    [JsonPropertyName("object")]
    public string ObjectType { get; set; } = "chat.completion.chunk";

    /// <summary>Unix seconds when the completion was created.</summary>
    public long Created { get; set; }

    /// <summary>The model that actually serves the request.</summary>
    public string? Model { get; set; }

    /// <summary>The provider that serves the request (OpenRouter extension).</summary>
    public string? Provider { get; set; }

    /// <summary>
    /// The deltas. The usage chunk at the end comes either with one choice holding an empty delta or with an
    /// empty array.
    /// </summary>
    public IReadOnlyList<ChatChunkChoice> Choices { get; set; } = [];

    /// <summary>Token counts and cost; present on the final chunk only.</summary>
    public ChatUsage? Usage { get; set; }

    /// <summary>Set when generation failed after streaming started; the choice then has <c>finish_reason: "error"</c>.</summary>
    public OpenRouterErrorPayload? Error { get; set; }

    /// <summary>Fields not modelled above, kept so they round-trip.</summary>
    [JsonExtensionData]
#pragma warning disable CA2227 // System.Text.Json fills extension data through the setter.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
#pragma warning restore CA2227
}

/// <summary>One choice of a stream chunk.</summary>
public sealed class ChatChunkChoice
{
    /// <summary>Index of the choice.</summary>
    public int Index { get; set; }

    /// <summary>The new content since the previous chunk.</summary>
    public ChatDelta? Delta { get; set; }

    /// <summary>Set on the chunk that ends the choice.</summary>
    public string? FinishReason { get; set; }

    /// <summary>The provider's own finish reason (OpenRouter extension).</summary>
    public string? NativeFinishReason { get; set; }

    /// <summary>Fields not modelled above, kept so they round-trip.</summary>
    [JsonExtensionData]
#pragma warning disable CA2227 // System.Text.Json fills extension data through the setter.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
#pragma warning restore CA2227
}

/// <summary>The incremental part of a streamed message.</summary>
public sealed class ChatDelta
{
    /// <summary>The role, sent on the first chunk only.</summary>
    public string? Role { get; set; }

    /// <summary>The new text.</summary>
    public string? Content { get; set; }

    /// <summary>New reasoning text (OpenRouter extension).</summary>
    public string? Reasoning { get; set; }

    /// <summary>Delta fields not modelled above (tool call deltas, ...), kept so they round-trip.</summary>
    [JsonExtensionData]
#pragma warning disable CA2227 // System.Text.Json fills extension data through the setter.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
#pragma warning restore CA2227
}

/// <summary>Token usage and cost as OpenRouter reports it.</summary>
public sealed class ChatUsage
{
    /// <summary>Prompt (input) tokens.</summary>
    public int PromptTokens { get; set; }

    /// <summary>Completion (output) tokens, reasoning included.</summary>
    public int CompletionTokens { get; set; }

    /// <summary>Prompt plus completion tokens.</summary>
    public int TotalTokens { get; set; }

    /// <summary>What OpenRouter charged for the call, in USD (credits).</summary>
    public decimal? Cost { get; set; }

    /// <summary>True when the call ran on the caller's own provider key.</summary>
    public bool? IsByok { get; set; }

    /// <summary>Prompt token breakdown.</summary>
    public PromptTokensDetails? PromptTokensDetails { get; set; }

    /// <summary>Completion token breakdown.</summary>
    public CompletionTokensDetails? CompletionTokensDetails { get; set; }

    /// <summary>Usage fields not modelled above (<c>cost_details</c>, ...), kept so they round-trip.</summary>
    [JsonExtensionData]
#pragma warning disable CA2227 // System.Text.Json fills extension data through the setter.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
#pragma warning restore CA2227
}

/// <summary>Prompt token breakdown.</summary>
public sealed class PromptTokensDetails
{
    /// <summary>Prompt tokens read from the provider's cache.</summary>
    public int? CachedTokens { get; set; }

    /// <summary>Audio prompt tokens.</summary>
    public int? AudioTokens { get; set; }
}

/// <summary>Completion token breakdown.</summary>
public sealed class CompletionTokensDetails
{
    /// <summary>Tokens spent on reasoning.</summary>
    public int? ReasoningTokens { get; set; }
}
