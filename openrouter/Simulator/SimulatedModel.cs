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
        new("anthropic/claude-3.5-haiku", "Anthropic: Claude 3.5 Haiku", 0.0000008m, 0.000004m, 200000, 8192),
        new("anthropic/claude-sonnet-4", "Anthropic: Claude Sonnet 4", 0.000003m, 0.000015m, 200000, 64000),
        new("anthropic/claude-3.5-sonnet", "Anthropic: Claude 3.5 Sonnet", 0.000003m, 0.000015m, 200000, 8192),
        new("anthropic/claude-3-haiku", "Anthropic: Claude 3 Haiku", 0.00000025m, 0.00000125m, 200000, 4096),
        new("google/gemini-2.0-flash-001", "Google: Gemini 2.0 Flash", 0.0000001m, 0.0000004m, 1048576, 8192),
        new("google/gemini-flash-1.5", "Google: Gemini Flash 1.5", 0.000000075m, 0.0000003m, 1000000, 8192),
        new("meta-llama/llama-3.3-70b-instruct", "Meta: Llama 3.3 70B Instruct", 0.00000013m, 0.0000004m, 131072, 16384),
        new("meta-llama/llama-3.1-8b-instruct", "Meta: Llama 3.1 8B Instruct", 0.00000002m, 0.00000005m, 131072, 8192),
        new("meta-llama/llama-3.2-3b-instruct:free", "Meta: Llama 3.2 3B Instruct (free)", 0m, 0m, 131072, 8192),
        new("mistralai/mistral-small-3.1-24b-instruct", "Mistral: Mistral Small 3.1 24B", 0.0000001m, 0.0000003m, 128000, 8192),
        new("mistralai/mistral-7b-instruct", "Mistral: Mistral 7B Instruct", 0.000000028m, 0.000000054m, 32768, 4096),
        new("deepseek/deepseek-chat", "DeepSeek: DeepSeek V3", 0.0000003m, 0.00000085m, 163840, 163840),
    ];
}
