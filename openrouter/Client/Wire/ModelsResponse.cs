using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTenancy.OpenRouter.Wire;

/// <summary>The body of OpenRouter's <c>GET /models</c>.</summary>
public sealed class ModelsResponse
{
    /// <summary>The models.</summary>
    public IReadOnlyList<ModelInfo> Data { get; set; } = [];
}

/// <summary>One entry of <c>GET /models</c>.</summary>
public sealed class ModelInfo
{
    /// <summary>The model id used in requests.</summary>
    public string Id { get; set; } = "";

    /// <summary>Display name.</summary>
    public string? Name { get; set; }

    /// <summary>Unix seconds when the model was added.</summary>
    public long? Created { get; set; }

    /// <summary>The context window in tokens.</summary>
    public int? ContextLength { get; set; }

    /// <summary>Prices as USD decimal strings per token (or per request/image).</summary>
    public ModelPricing? Pricing { get; set; }

    /// <summary>Limits of the provider OpenRouter routes to by default.</summary>
    public TopProvider? TopProvider { get; set; }

    /// <summary>Fields not modelled above (architecture, supported parameters, ...), kept so they round-trip.</summary>
    [JsonExtensionData]
#pragma warning disable CA2227 // System.Text.Json fills extension data through the setter.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
#pragma warning restore CA2227
}

/// <summary>Model prices as OpenRouter publishes them: USD decimal strings, e.g. <c>"0.0000025"</c> per token.</summary>
public sealed class ModelPricing
{
    /// <summary>USD per prompt token.</summary>
    public string? Prompt { get; set; }

    /// <summary>USD per completion token.</summary>
    public string? Completion { get; set; }

    /// <summary>USD per request.</summary>
    public string? Request { get; set; }

    /// <summary>USD per input image.</summary>
    public string? Image { get; set; }
}

/// <summary>Limits of a model's default provider.</summary>
public sealed class TopProvider
{
    /// <summary>The provider's context window.</summary>
    public int? ContextLength { get; set; }

    /// <summary>The provider's largest completion.</summary>
    public int? MaxCompletionTokens { get; set; }

    /// <summary>Whether the provider moderates input.</summary>
    public bool? IsModerated { get; set; }
}
