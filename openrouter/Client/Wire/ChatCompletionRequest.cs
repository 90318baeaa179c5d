using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTenancy.OpenRouter.Wire;

/// <summary>
/// An OpenAI-compatible chat completion request with OpenRouter's extensions (<c>models</c>, <c>provider</c>,
/// <c>usage</c>). Fields this type does not model are kept in <see cref="AdditionalProperties"/> so a gateway can
/// forward them unchanged.
/// </summary>
public sealed class ChatCompletionRequest
{
    /// <summary>The model id, e.g. <c>openai/gpt-4o-mini</c>. May be omitted when <see cref="Models"/> is given.</summary>
    public string? Model { get; set; }

    /// <summary>OpenRouter fallback list: tried in order when the previous model is unavailable.</summary>
    public IReadOnlyList<string>? Models { get; set; }

    /// <summary>The conversation so far.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; set; } = [];

    /// <summary>When true, the response is a server-sent event stream of <see cref="ChatCompletionChunk"/>.</summary>
    public bool? Stream { get; set; }

    /// <summary>Upper bound on completion tokens, per choice.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>
    /// Upper bound on completion tokens per choice, reasoning included: OpenAI's newer name for <see cref="MaxTokens"/>.
    /// Upstreams honour it, and where both are sent it wins.
    /// </summary>
    public int? MaxCompletionTokens { get; set; }

    /// <summary>How many choices to generate; each one is billed.</summary>
    public int? N { get; set; }

    /// <summary>Sampling temperature.</summary>
    public double? Temperature { get; set; }

    /// <summary>Nucleus sampling bound.</summary>
    public double? TopP { get; set; }

    /// <summary>OpenRouter provider routing preferences.</summary>
    public ProviderPreferences? Provider { get; set; }

    /// <summary>OpenRouter usage accounting; <c>{"include": true}</c> asks for usage and cost in the response.</summary>
    public UsageRequest? Usage { get; set; }

    /// <summary>A stable end-user identifier, forwarded for abuse detection.</summary>
    public string? User { get; set; }

    /// <summary>Request fields not modelled above, kept so they round-trip.</summary>
    [JsonExtensionData]
#pragma warning disable CA2227 // System.Text.Json fills extension data through the setter.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
#pragma warning restore CA2227

    /// <summary>A shallow copy, so callers can adjust per-attempt fields without touching the original.</summary>
    public ChatCompletionRequest Clone() => (ChatCompletionRequest)MemberwiseClone();
}

/// <summary>OpenRouter's <c>usage</c> request object.</summary>
public sealed class UsageRequest
{
    /// <summary>When true, OpenRouter includes token counts and <c>cost</c> in the response (or the final stream chunk).</summary>
    public bool Include { get; set; }
}

/// <summary>
/// OpenRouter's <c>provider</c> routing object. Null members are omitted from the JSON so OpenRouter applies its
/// own defaults.
/// </summary>
public sealed class ProviderPreferences
{
    /// <summary>Provider names to try in this order.</summary>
    public IReadOnlyList<string>? Order { get; set; }

    /// <summary>Whether providers outside <see cref="Order"/> may serve the request (OpenRouter default: true).</summary>
    public bool? AllowFallbacks { get; set; }

    /// <summary>Only route to providers that support every parameter of the request.</summary>
    public bool? RequireParameters { get; set; }

    /// <summary><c>allow</c> or <c>deny</c>: whether providers that may store or train on data are acceptable.</summary>
    public string? DataCollection { get; set; }

    /// <summary>Provider names allowed for this request; all others are excluded.</summary>
    public IReadOnlyList<string>? Only { get; set; }

    /// <summary>Provider names excluded for this request.</summary>
    public IReadOnlyList<string>? Ignore { get; set; }

    /// <summary><c>price</c>, <c>throughput</c> or <c>latency</c>: how to rank providers.</summary>
    public string? Sort { get; set; }

    /// <summary>The most this request may pay, in USD per million tokens (and per request/image).</summary>
    public MaxPrice? MaxPrice { get; set; }

    /// <summary>Provider fields not modelled above, kept so they round-trip.</summary>
    [JsonExtensionData]
#pragma warning disable CA2227 // System.Text.Json fills extension data through the setter.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
#pragma warning restore CA2227
}

/// <summary>OpenRouter's <c>provider.max_price</c>: USD per million tokens for prompt/completion, USD per request/image.</summary>
public sealed class MaxPrice
{
    /// <summary>USD per million prompt tokens.</summary>
    public decimal? Prompt { get; set; }

    /// <summary>USD per million completion tokens.</summary>
    public decimal? Completion { get; set; }

    /// <summary>USD per request.</summary>
    public decimal? Request { get; set; }

    /// <summary>USD per image.</summary>
    public decimal? Image { get; set; }
}
