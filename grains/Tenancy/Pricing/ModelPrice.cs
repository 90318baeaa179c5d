namespace OrleansTenancy.Tenancy.Pricing;

/// <summary>
/// The price of one model in USD per token, as OpenRouter publishes it (its <c>/models</c> endpoint gives
/// prices as decimal strings per token), plus the limits that bound a worst-case estimate.
/// </summary>
/// <param name="PromptPerToken">USD per prompt (input) token.</param>
/// <param name="CompletionPerToken">USD per completion (output) token.</param>
/// <param name="MaxCompletionTokens">The model's largest output, when known; caps worst-case estimates.</param>
/// <param name="ContextLength">The model's context window in tokens, when known.</param>
public sealed record ModelPrice(
    decimal PromptPerToken,
    decimal CompletionPerToken,
    int? MaxCompletionTokens = null,
    int? ContextLength = null);
