using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTenancy.OpenRouter.Wire;

/// <summary>One chat message, as in the OpenAI chat format.</summary>
public sealed class ChatMessage
{
    /// <summary><c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>.</summary>
    public string Role { get; set; } = "user";

    /// <summary>The message content: plain text or an array of content parts.</summary>
    public MessageContent? Content { get; set; }

    /// <summary>Optional participant name.</summary>
    public string? Name { get; set; }

    /// <summary>Model reasoning text, when the model returns it (OpenRouter extension).</summary>
    public string? Reasoning { get; set; }

    /// <summary>Message fields not modelled above (tool calls, tool call ids, ...), kept so they round-trip.</summary>
    [JsonExtensionData]
#pragma warning disable CA2227 // System.Text.Json fills extension data through the setter.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
#pragma warning restore CA2227

    /// <summary>Creates a message with plain text content.</summary>
    public static ChatMessage Create(string role, string text) => new() { Role = role, Content = new MessageContent(text) };
}

/// <summary>
/// Message content, which the OpenAI format allows to be either a string or an array of parts
/// (<c>{"type":"text","text":...}</c>, images, audio). Parts are kept as raw JSON so nothing is lost.
/// </summary>
[JsonConverter(typeof(MessageContentConverter))]
public sealed class MessageContent
{
    /// <summary>Creates text content.</summary>
    public MessageContent(string text) => Text = text;

    /// <summary>Creates multi-part content from a JSON array.</summary>
    public MessageContent(JsonElement parts) => Parts = parts.Clone();

    /// <summary>The content when it was a plain string; null for multi-part content.</summary>
    public string? Text { get; }

    /// <summary>The content parts when the content was an array; null for plain text.</summary>
    public JsonElement? Parts { get; }

    /// <summary>The text of the content: the string itself, or the <c>text</c> parts joined with newlines.</summary>
    public string GetText()
    {
        if (Text is not null)
        {
            return Text;
        }

        var builder = new StringBuilder();
        foreach (var part in Parts!.Value.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                if (builder.Length > 0)
                {
                    builder.Append('\n');
                }

                builder.Append(text.GetString());
            }
        }

        return builder.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => GetText();
}

/// <summary>Reads and writes <see cref="MessageContent"/> as a JSON string or array.</summary>
public sealed class MessageContentConverter : JsonConverter<MessageContent>
{
    /// <inheritdoc/>
    public override MessageContent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new MessageContent(reader.GetString()!);
            case JsonTokenType.StartArray:
                using (var document = JsonDocument.ParseValue(ref reader))
                {
                    return new MessageContent(document.RootElement);
                }

            default:
                throw new JsonException($"Message 'content' must be a string or an array of parts, found {reader.TokenType}.");
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, MessageContent value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Text is not null)
        {
            writer.WriteStringValue(value.Text);
        }
        else
        {
            value.Parts!.Value.WriteTo(writer);
        }
    }
}
