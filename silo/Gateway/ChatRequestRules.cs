using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.Silo.Gateway;

/// <summary>
/// What a chat completion request must look like before anything is reserved or sent upstream: the body's shape
/// (messages present and well formed, a positive <c>max_tokens</c>, model ids as text) and the optional headers. A
/// request that breaks a rule is a 400 in the OpenAI shape naming the field, never a failure further in, where it
/// would have been a 500 that OpenAI clients retry.
/// </summary>
public static class ChatRequestRules
{
    // What each field of the body must be, for messages about a value of the wrong type.
    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        ["model"] = "text (a model id)",
        ["models"] = "a list of model ids",
        ["messages"] = "a list of message objects with 'role' and 'content'",
        ["role"] = "text such as 'user'",
        ["content"] = "text or a list of content parts",
        ["name"] = "text",
        ["stream"] = "true or false",
        ["max_tokens"] = "a whole number of at least 1",
        ["temperature"] = "a number",
        ["top_p"] = "a number",
        ["provider"] = "an object of provider preferences",
        ["usage"] = "an object such as {\"include\": true}",
        ["user"] = "text",
    };

    /// <summary>Reads <c>X-Downshift</c>: absent is <see langword="null"/>, otherwise <c>true</c> or <c>false</c>.</summary>
    public static bool TryReadDownshift(HttpRequest request, out bool? downshift, [NotNullWhen(false)] out GatewayError? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        error = null;
        downshift = null;
        var text = request.Headers["X-Downshift"].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (bool.TryParse(text, out var value))
        {
            downshift = value;
            return true;
        }

        error = GatewayError.Of(StatusCodes.Status400BadRequest, GatewayError.InvalidRequest, "invalid_header", "X-Downshift must be true or false.");
        return false;
    }

    /// <summary>The first rule <paramref name="body"/> breaks, or <see langword="null"/> when it may be routed.</summary>
    public static GatewayError? Check(ChatCompletionRequest body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Messages is not { Count: > 0 } messages)
        {
            return Invalid("missing_messages", "'messages' must be a list with at least one message.", "messages");
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not { } message)
            {
                return Invalid("invalid_message", $"messages[{i}] must be a message object with 'role' and 'content', not null.", "messages");
            }

            if (string.IsNullOrWhiteSpace(message.Role))
            {
                return Invalid("invalid_message", $"messages[{i}].role must be {Expected["role"]}.", "messages");
            }
        }

        if (body.MaxTokens is < 1 and var maxTokens)
        {
            return Invalid("invalid_max_tokens", $"'max_tokens' must be at least 1, not {maxTokens.ToString(CultureInfo.InvariantCulture)}.", "max_tokens");
        }

        // JSON allows 1e400, which reads as infinity and cannot be written upstream again.
        if (body.Temperature is { } temperature && !double.IsFinite(temperature))
        {
            return Invalid("invalid_request_body", $"'temperature' must be {Expected["temperature"]} within range.", "temperature");
        }

        if (body.TopP is { } topP && !double.IsFinite(topP))
        {
            return Invalid("invalid_request_body", $"'top_p' must be {Expected["top_p"]} within range.", "top_p");
        }

        if (body.Models?.Any(string.IsNullOrWhiteSpace) == true)
        {
            return Invalid("invalid_models", "Each entry of 'models' must be a model id such as 'openai/gpt-4o-mini'.", "models");
        }

        return null;
    }

    /// <summary>A 400 for a body that did not parse, naming the field at fault when the parser knows it.</summary>
    public static GatewayError FromJson(JsonException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var path = error.Path;
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return Invalid("invalid_json", error.BytePositionInLine is null && error.LineNumber is null
                ? "The request body must be a JSON object with 'model' and 'messages'."
                : $"The request body must be a JSON object with 'model' and 'messages' ({Plain(error.Message)}).", null);
        }

        // "$.messages[0].content" → field "content", top-level parameter "messages".
        var segments = path.TrimStart('$', '.').Split('.');
        var field = segments[^1];
        var element = field.EndsWith(']');
        if (element)
        {
            field = field[..field.IndexOf('[', StringComparison.Ordinal)];
        }

        var param = segments[0].Split('[')[0];
        var where = path.TrimStart('$', '.');
        var message = Expected.TryGetValue(field, out var expected)
            ? element
                ? $"Each entry of '{field}' (at {where}) must be {(field == "messages" ? "a message object with 'role' and 'content'" : "a model id")}."
                : $"'{where}' must be {expected}."
            : $"'{where}' has a value of the wrong type or form ({Plain(error.Message)}).";
        return Invalid("invalid_request_body", message, param);
    }

    private static GatewayError Invalid(string code, string message, string? param) =>
        GatewayError.Of(StatusCodes.Status400BadRequest, GatewayError.InvalidRequest, code, message, param);

    // System.Text.Json appends "Path: $.x | LineNumber: 0 | BytePositionInLine: 9."; the path is reported on its own.
    private static string Plain(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).TrimEnd('.');
    }
}
