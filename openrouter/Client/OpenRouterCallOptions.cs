using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter;

/// <summary>Per-call settings for <see cref="OpenRouterClient"/>.</summary>
public sealed class OpenRouterCallOptions
{
    /// <summary>
    /// Sent as <c>X-Request-Id</c> on every attempt of this call, so a retry is recognisable upstream as the
    /// same logical request. Defaults to none.
    /// </summary>
    public string? RequestId { get; init; }

    /// <summary>Overrides <see cref="OpenRouterOptions.MaxRetries"/> for this call.</summary>
    public int? MaxRetries { get; init; }

    /// <summary>Extra request headers for this call (e.g. the simulator's <c>X-Sim-*</c> knobs).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}

/// <summary>A successful non-streamed completion.</summary>
/// <param name="Response">The response body.</param>
/// <param name="Attempts">How many attempts the call took (1 when the first succeeded).</param>
public sealed record ChatCompletionResult(ChatCompletionResponse Response, int Attempts)
{
    /// <summary>Token counts and cost, when OpenRouter reported them.</summary>
    public ChatUsage? Usage => Response.Usage;

    /// <summary>The model that actually served the call (after any fallback).</summary>
    public string? Model => Response.Model;

    /// <summary>The text of the first choice, or empty.</summary>
    public string Text => Response.Choices.Count > 0 ? Response.Choices[0].Message?.Content?.GetText() ?? "" : "";
}

/// <summary>One model of OpenRouter's catalog with prices parsed to decimals (USD per token; per request for <see cref="RequestPrice"/>).</summary>
/// <param name="Id">The model id used in requests.</param>
/// <param name="Name">The display name, when given.</param>
/// <param name="PromptPerToken">USD per prompt token.</param>
/// <param name="CompletionPerToken">USD per completion token.</param>
/// <param name="RequestPrice">USD per request, when non-zero.</param>
/// <param name="ContextLength">The context window in tokens, when known.</param>
/// <param name="MaxCompletionTokens">The default provider's largest completion, when known.</param>
public sealed record OpenRouterModel(
    string Id,
    string? Name,
    decimal PromptPerToken,
    decimal CompletionPerToken,
    decimal? RequestPrice,
    int? ContextLength,
    int? MaxCompletionTokens);
