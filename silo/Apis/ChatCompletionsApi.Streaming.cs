using System.Buffers;
using System.Text.Json;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Silo.Gateway;

namespace OrleansTenancy.Silo.Apis;

/// <summary>The server-sent events side of <c>POST /v1/chat/completions</c>.</summary>
public static partial class ChatCompletionsApi
{
    /// <summary>
    /// Streams the router's chunks as <c>text/event-stream</c>. Headers are sent with the first chunk, so a refusal
    /// before it is still a JSON error with its status; a failure after it is an SSE <c>{"error":{...}}</c> event and
    /// the stream ends without <c>[DONE]</c>. The request's abort token is the router's, so a client that disconnects
    /// cancels upstream and the router settles what was used.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, ILlmRouter router, RouteRequest route, bool wantsUsage, ILogger logger)
    {
        var response = http.Response;
        var aborted = http.RequestAborted;
        var started = false;
        var json = new Utf8JsonWriter(response.BodyWriter);
        await using (json.ConfigureAwait(false))
        {
            async ValueTask WriteAsync(ChatCompletionChunk chunk, CancellationToken cancellationToken)
            {
                if (!started)
                {
                    started = true;
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "text/event-stream";
                    response.Headers.CacheControl = "no-cache";
                }

                ServerSentEvents.WriteChunk(response.BodyWriter, json, chunk);
                await response.BodyWriter.FlushAsync(cancellationToken);
            }

            ValueTask OnChunk(ChatCompletionChunk chunk, CancellationToken cancellationToken)
            {
                if (!wantsUsage && chunk.Usage is not null)
                {
                    // The router always asks upstream for usage (it settles with it); OpenAI clients that did not ask
                    // expect no usage chunk.
                    if (chunk.Choices.Count == 0 || chunk.Choices.All(IsEmptyChoice))
                    {
                        return ValueTask.CompletedTask;
                    }

                    chunk.Usage = null;
                }

                return WriteAsync(chunk, cancellationToken);
            }

            try
            {
                var result = await router.StreamAsync(route, OnChunk, aborted);
                if (!started && result.Response is { } cached)
                {
                    // A cache hit answers with a whole response; replay it as one chunk so the client sees a stream.
                    await WriteAsync(ToChunk(cached, wantsUsage), aborted);
                }

                if (!started)
                {
                    await WriteAsync(new ChatCompletionChunk { Id = result.RequestId, Model = result.Model, Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds() }, aborted);
                }

                response.BodyWriter.Write(ServerSentEvents.Done);
                await response.BodyWriter.FlushAsync(aborted);
            }
            catch (RouteRefusedException refusal)
            {
                LogRefused(logger, route.RequestId ?? string.Empty, route.Context?.ToString() ?? "(fallback)", refusal.Reason, refusal.StatusCode, refusal.Message);
                var error = GatewayError.FromRefusal(refusal);
                if (!started)
                {
                    await error.WriteAsync(response, aborted);
                    return;
                }

                response.BodyWriter.Write("data: "u8);
                await using (var errorJson = new Utf8JsonWriter(response.BodyWriter, GatewayError.WriterOptions))
                {
                    error.WriteJson(errorJson);
                }

                response.BodyWriter.Write("\n\n"u8);
                await response.BodyWriter.FlushAsync(aborted);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client disconnected; nothing more can be written.
            }
        }
    }

    private static bool IsEmptyChoice(ChatChunkChoice choice) =>
        choice.FinishReason is null && (choice.Delta is null || (string.IsNullOrEmpty(choice.Delta.Content) && string.IsNullOrEmpty(choice.Delta.Reasoning)));

    private static ChatCompletionChunk ToChunk(ChatCompletionResponse response, bool wantsUsage) => new()
    {
        Id = response.Id,
        Created = response.Created,
        Model = response.Model,
        Provider = response.Provider,
        Usage = wantsUsage ? response.Usage : null,
        Choices = [.. response.Choices.Select(c => new ChatChunkChoice
        {
            Index = c.Index,
            FinishReason = c.FinishReason ?? "stop",
            Delta = new ChatDelta { Role = c.Message?.Role ?? "assistant", Content = c.Message?.Content?.GetText() },
        })],
    };
}
