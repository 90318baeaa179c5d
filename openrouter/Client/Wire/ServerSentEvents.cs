using System.Buffers;
using System.Text.Json;

namespace OrleansTenancy.OpenRouter.Wire;

/// <summary>
/// Writes OpenRouter's (and OpenAI's) chat completion event stream: <c>data: {json}</c> events separated by blank
/// lines, <c>: comment</c> keep-alives, and the closing <c>data: [DONE]</c>. Shared by anything that serves the format.
/// </summary>
public static class ServerSentEvents
{
    /// <summary>The keep-alive comment OpenRouter sends while a model has not produced output yet.</summary>
    public static ReadOnlySpan<byte> ProcessingComment => ": OPENROUTER PROCESSING\n\n"u8;

    /// <summary>The event that ends a successful stream.</summary>
    public static ReadOnlySpan<byte> Done => "data: [DONE]\n\n"u8;

    /// <summary>Writes one chunk as a <c>data:</c> event. Flushing is the caller's choice.</summary>
    /// <param name="output">Where the event goes.</param>
    /// <param name="json">A writer to reuse across events (reset onto <paramref name="output"/> here).</param>
    /// <param name="chunk">The chunk.</param>
    public static void WriteChunk(IBufferWriter<byte> output, Utf8JsonWriter json, ChatCompletionChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(json);
        output.Write("data: "u8);
        json.Reset(output);
        JsonSerializer.Serialize(json, chunk, OpenRouterJsonContext.Default.ChatCompletionChunk);
        output.Write("\n\n"u8);
    }
}
