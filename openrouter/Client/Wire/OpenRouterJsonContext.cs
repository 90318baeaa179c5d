using System.Text.Json.Serialization;

namespace OrleansTenancy.OpenRouter.Wire;

/// <summary>
/// Source-generated serialization for OpenRouter's wire types: snake_case names as on the wire, nulls omitted so
/// OpenRouter applies its own defaults for anything the caller did not set.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(OpenRouterErrorResponse))]
[JsonSerializable(typeof(ModelsResponse))]
public sealed partial class OpenRouterJsonContext : JsonSerializerContext;
