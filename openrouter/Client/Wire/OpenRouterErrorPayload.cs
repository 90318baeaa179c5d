using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTenancy.OpenRouter.Wire;

/// <summary>The body OpenRouter sends with an error status: <c>{"error":{"code":402,"message":"...","metadata":{...}}}</c>.</summary>
public sealed class OpenRouterErrorResponse
{
    /// <summary>The error.</summary>
    public OpenRouterErrorPayload? Error { get; set; }
}

/// <summary>
/// OpenRouter's error object. <see cref="Code"/> is a number (the HTTP status) in error bodies, but may be a string
/// such as <c>server_error</c> in errors that arrive mid-stream; both are kept as text.
/// </summary>
public sealed class OpenRouterErrorPayload
{
    /// <summary>The error code: the HTTP status as digits, or a symbolic code.</summary>
    [JsonConverter(typeof(NumberOrStringConverter))]
    public string? Code { get; set; }

    /// <summary>A human-readable description.</summary>
    public string? Message { get; set; }

    /// <summary>Details: moderation reasons, provider name and raw provider error, rate-limit source, ...</summary>
    public JsonElement? Metadata { get; set; }

    /// <summary>The code as an HTTP status, when it is numeric.</summary>
    [JsonIgnore]
    public int? NumericCode =>
        int.TryParse(Code, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>Reads a JSON number or string as text; writes digit-only text back as a number.</summary>
public sealed class NumberOrStringConverter : JsonConverter<string>
{
    /// <inheritdoc/>
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => reader.TryGetInt64(out var whole)
                ? whole.ToString(CultureInfo.InvariantCulture)
                : reader.GetDouble().ToString(CultureInfo.InvariantCulture),
            JsonTokenType.Null => null,
            _ => throw new JsonException($"Error 'code' must be a number or a string, found {reader.TokenType}."),
        };

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
