namespace OrleansTenancy.OpenRouter.Simulator;

/// <summary>A model the simulator serves, priced like OpenRouter's <c>/models</c> (USD per token).</summary>
/// <param name="Id">The model id.</param>
/// <param name="Name">The display name.</param>
/// <param name="PromptPerToken">USD per prompt token.</param>
/// <param name="CompletionPerToken">USD per completion token.</param>
/// <param name="ContextLength">Context window in tokens.</param>
/// <param name="MaxCompletionTokens">Largest completion in tokens.</param>
public sealed record SimulatedModel(
    string Id,
    string Name,
    decimal PromptPerToken,
    decimal CompletionPerToken,
    int ContextLength,
    int MaxCompletionTokens)
{
    /// <summary>
    /// The built-in catalog: a few well-known models with per-token prices of the order OpenRouter lists for them.
    /// The ids follow OpenRouter's <c>vendor/model</c> convention so configuration written against the simulator
    /// also reads naturally against OpenRouter.
    /// </summary>
    public static IReadOnlyList<SimulatedModel> BuiltIn { get; } =
    [
        new("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini", 0.00000015m, 0.0000006m, 128000, 16384),
        new("openai/gpt-4o", "OpenAI: GPT-4o", 0.0000025m, 0.00001m, 128000, 16384),
        new("anthropic/claude-3.5-sonnet", "Anthropic: Claude 3.5 Sonnet", 0.000003m, 0.000015m, 200000, 8192),
        new("anthropic/claude-3-haiku", "Anthropic: Claude 3 Haiku", 0.00000025m, 0.00000125m, 200000, 4096),
        new("google/gemini-flash-1.5", "Google: Gemini Flash 1.5", 0.000000075m, 0.0000003m, 1000000, 8192),
        new("meta-llama/llama-3.1-8b-instruct", "Meta: Llama 3.1 8B Instruct", 0.00000002m, 0.00000005m, 131072, 8192),
        new("mistralai/mistral-7b-instruct", "Mistral: Mistral 7B Instruct", 0.000000028m, 0.000000054m, 32768, 4096),
    ];
}
