using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>A chat call's answer and what it cost.</summary>
public sealed record ChatResult
{
    /// <summary>The request id the call was reserved, settled and recorded under.</summary>
    public required string RequestId { get; init; }

    /// <summary>The tenant and workspace it ran for.</summary>
    public required TenantContext Context { get; init; }

    /// <summary>The model that answered (a fallback's, when the first model failed).</summary>
    public required string Model { get; init; }

    /// <summary>The upstream provider, when known.</summary>
    public string? Provider { get; init; }

    /// <summary>The answer.</summary>
    public required string Text { get; init; }

    /// <summary>Prompt tokens settled.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Completion tokens settled.</summary>
    public long CompletionTokens { get; init; }

    /// <summary>The settled cost in USD (upstream's reported cost, else tokens at the model's price; zero from the cache).</summary>
    public decimal CostUsd { get; init; }

    /// <summary>The worst case that was reserved against the budget before the call, in USD.</summary>
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>Whether the answer came from the workspace's response cache.</summary>
    public bool Cached { get; init; }

    internal static ChatResult From(ChatAnswer answer, TenantContext? context, string text) => new()
    {
        RequestId = answer.RequestId ?? string.Empty,
        Context = answer.Context ?? context ?? default,
        Model = answer.Model ?? string.Empty,
        Provider = answer.Provider,
        Text = text,
        PromptTokens = answer.PromptTokens,
        CompletionTokens = answer.CompletionTokens,
        CostUsd = answer.CostUsd,
        EstimatedCostUsd = answer.EstimatedCostUsd,
        Cached = answer.Cached,
    };
}

/// <summary>
/// One update of a streamed chat call: text as it arrives, and on the last update the whole
/// <see cref="Completion"/> with the settled cost.
/// </summary>
public sealed record ChatStreamUpdate
{
    /// <summary>Text that arrived since the previous update; empty on the last one.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Why the model stopped (<c>stop</c>, <c>length</c>, …), on the update where upstream said so.</summary>
    public string? FinishReason { get; init; }

    /// <summary>On the last update only: the whole answer, its tokens and its settled cost.</summary>
    public ChatResult? Completion { get; init; }
}
