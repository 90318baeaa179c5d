using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Simulator;

internal sealed partial class ChatCompletionsHandler
{
    private const int DefaultChunks = 4;

    /// <summary>
    /// Streams like OpenRouter: keep-alive comments, a role chunk carrying the first text, more content chunks, a
    /// chunk with the finish reason, a usage chunk in the requested shape, then <c>data: [DONE]</c>. A mid-stream
    /// error replaces the rest with one chunk holding <c>error</c> and <c>finish_reason: "error"</c>.
    /// </summary>
    private async Task WriteStreamAsync(HttpContext context, Exchange exchange, string model, SimulatedReply reply, SimulatorKnobs knobs)
    {
        var aborted = context.RequestAborted;
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var writer = response.BodyWriter;
        for (var i = 0; i < state.Options.ProcessingComments; i++)
        {
            writer.Write(ServerSentEvents.ProcessingComment);
        }

        await FlushAsync(writer, aborted);
        await DelayAsync(knobs.LatencyMs, aborted);

        var id = GenerationId(exchange);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var provider = knobs.Provider ?? DefaultProvider;
        ChatCompletionChunk Chunk(IReadOnlyList<ChatChunkChoice> choices) =>
            new() { Id = id, Created = created, Model = model, Provider = provider, Choices = choices };

        using var json = new Utf8JsonWriter(writer, WriterOptions);
        var pieces = reply.Split(knobs.Chunks ?? DefaultChunks);
        for (var i = 0; i < pieces.Count; i++)
        {
            if (knobs.StreamErrorAfter is { } errorAfter && i == errorAfter)
            {
                var failed = Chunk([new ChatChunkChoice { Index = 0, Delta = new ChatDelta { Content = "" }, FinishReason = "error" }]);
                failed.Error = new OpenRouterErrorPayload { Code = "server_error", Message = "Provider disconnected unexpectedly (simulated)." };
                await WriteEventAsync(writer, json, failed, exchange, aborted);
                exchange.Outcome = "stream-error";
                return;
            }

            if (i > 0)
            {
                await DelayAsync(knobs.ChunkDelayMs, aborted);
            }

            var delta = new ChatDelta { Role = i == 0 ? "assistant" : null, Content = pieces[i] };
            await WriteEventAsync(writer, json, Chunk([new ChatChunkChoice { Index = 0, Delta = delta }]), exchange, aborted);
        }

        var finish = new ChatChunkChoice { Index = 0, Delta = new ChatDelta { Content = "" }, FinishReason = reply.FinishReason, NativeFinishReason = reply.FinishReason };
        await WriteEventAsync(writer, json, Chunk([finish]), exchange, aborted);

        var usageChunk = knobs.UsageShape == UsageChunkShape.NoChoices
            ? Chunk([])
            : Chunk([new ChatChunkChoice { Index = 0, Delta = new ChatDelta { Role = "assistant", Content = "" } }]);
        usageChunk.Usage = reply.Usage;
        await WriteEventAsync(writer, json, usageChunk, exchange, aborted);

        writer.Write(ServerSentEvents.Done);
        await FlushAsync(writer, aborted);
    }

    private static async Task WriteEventAsync(PipeWriter writer, Utf8JsonWriter json, ChatCompletionChunk chunk, Exchange exchange, CancellationToken aborted)
    {
        ServerSentEvents.WriteChunk(writer, json, chunk);
        exchange.ChunksSent++;
        await FlushAsync(writer, aborted);
    }

    private static async Task FlushAsync(PipeWriter writer, CancellationToken aborted)
    {
        var result = await writer.FlushAsync(aborted);
        if (result.IsCompleted || result.IsCanceled)
        {
            // The client went away; stop producing like an upstream whose connection closed.
            throw new OperationCanceledException("The client disconnected.", aborted);
        }
    }
}
