using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter;

/// <summary>
/// A streamed completion whose response headers have arrived. Read it once with <see cref="ReadChunksAsync"/>;
/// afterwards <see cref="Usage"/>, <see cref="OutputStarted"/>, <see cref="Error"/> and <see cref="Completed"/>
/// describe how it ended, which is what billing needs even when the stream failed or was cancelled.
/// </summary>
public sealed class StreamingCompletion : IAsyncDisposable, IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;
    private int _read;

    internal StreamingCompletion(HttpResponseMessage response, int attempts, TimeSpan idleTimeout, TimeProvider time)
    {
        _response = response;
        Attempts = attempts;
        _idleTimeout = idleTimeout;
        _time = time;
    }

    /// <summary>How many attempts it took to get the stream started.</summary>
    public int Attempts { get; }

    /// <summary>The generation id, once a chunk arrived.</summary>
    public string? Id { get; private set; }

    /// <summary>The model actually serving the stream, once a chunk arrived.</summary>
    public string? Model { get; private set; }

    /// <summary>The provider serving the stream, once a chunk arrived.</summary>
    public string? Provider { get; private set; }

    /// <summary>Token counts and cost from the final chunk; null until it arrives (or if it never did).</summary>
    public ChatUsage? Usage { get; private set; }

    /// <summary>True once a chunk carrying content, reasoning or a tool call delta arrived.</summary>
    public bool OutputStarted { get; private set; }

    /// <summary>How many SSE comment lines (such as <c>: OPENROUTER PROCESSING</c>) were skipped.</summary>
    public int CommentLines { get; private set; }

    /// <summary>True when <c>data: [DONE]</c> arrived.</summary>
    public bool Completed { get; private set; }

    /// <summary>The error that ended the stream, if one arrived mid-stream or the stream was cut short.</summary>
    public OpenRouterException? Error { get; private set; }

    /// <summary>
    /// Reads the chunks as they arrive, skipping SSE comments. An error chunk (<c>error</c> object with
    /// <c>finish_reason: "error"</c>) is yielded, so a relay can forward it, and then thrown as
    /// <see cref="OpenRouterException"/> with <see cref="OpenRouterException.OutputStarted"/> telling whether content
    /// had been delivered. A stream that ends without <c>[DONE]</c> also throws. Cancelling stops reading and
    /// closes the connection. Silence longer than <see cref="OpenRouterOptions.StreamIdleTimeout"/> throws a
    /// <see cref="OpenRouterErrorKind.Timeout"/> error.
    /// </summary>
    /// <param name="cancellationToken">Stops reading.</param>
    public async IAsyncEnumerable<ChatCompletionChunk> ReadChunksAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _read, 1) != 0)
        {
            throw new InvalidOperationException("An OpenRouter stream can be read only once.");
        }

        try
        {
            await using var body = await _response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamReader(body, Encoding.UTF8);
            using var idle = new CancellationTokenSource(System.Threading.Timeout.InfiniteTimeSpan, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
            var data = new StringBuilder();
            while (true)
            {
                var line = await ReadLineAsync(reader, idle, linked.Token, cancellationToken);
                if (line is not null && line.Length > 0)
                {
                    if (line[0] == ':')
                    {
                        CommentLines++;
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        // Per the SSE spec several data lines form one event, joined by newlines.
                        if (data.Length > 0)
                        {
                            data.Append('\n');
                        }

                        data.Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5));
                    }

                    continue;
                }

                if (data.Length > 0)
                {
                    var payload = data.ToString();
                    data.Clear();
                    if (payload == "[DONE]")
                    {
                        Completed = true;
                        yield break;
                    }

                    var chunk = Parse(payload);
                    yield return chunk;
                    if (Error is not null)
                    {
                        throw Error;
                    }
                }

                if (line is null)
                {
                    break;
                }
            }

            Error = new OpenRouterException(
                OpenRouterErrorKind.BadGateway,
                "OpenRouter's stream ended before 'data: [DONE]'; the output may be truncated.",
                HttpStatusCode.OK,
                outputStarted: OutputStarted,
                chargeMayHaveOccurred: true);
            throw Error;
        }
        finally
        {
            _response.Dispose();
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _response.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose() => _response.Dispose();

    private async ValueTask<string?> ReadLineAsync(StreamReader reader, CancellationTokenSource idle, CancellationToken linked, CancellationToken cancellationToken)
    {
        try
        {
            if (_idleTimeout != System.Threading.Timeout.InfiniteTimeSpan)
            {
                idle.CancelAfter(_idleTimeout);
            }

            return await reader.ReadLineAsync(linked);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Error = new OpenRouterException(
                OpenRouterErrorKind.Timeout,
                $"OpenRouter's stream was silent for {_idleTimeout}; giving up. Raise OpenRouter:StreamIdleTimeout if the model is slow.",
                HttpStatusCode.OK,
                outputStarted: OutputStarted,
                chargeMayHaveOccurred: true,
                innerException: ex);
            throw Error;
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Error = new OpenRouterException(
                OpenRouterErrorKind.Transport,
                $"The connection to OpenRouter broke mid-stream: {ex.Message}",
                HttpStatusCode.OK,
                outputStarted: OutputStarted,
                chargeMayHaveOccurred: true,
                innerException: ex);
            throw Error;
        }
    }

    private ChatCompletionChunk Parse(string payload)
    {
        ChatCompletionChunk chunk;
        try
        {
            chunk = JsonSerializer.Deserialize(payload, OpenRouterJsonContext.Default.ChatCompletionChunk)
                ?? throw new JsonException("the event data is 'null'");
        }
        catch (JsonException ex)
        {
            Error = new OpenRouterException(
                OpenRouterErrorKind.Other,
                $"OpenRouter sent a stream event that is not a chat completion chunk ({ex.Message}): {Truncate(payload)}",
                HttpStatusCode.OK,
                outputStarted: OutputStarted,
                chargeMayHaveOccurred: true,
                innerException: ex);
            throw Error;
        }

        Id ??= chunk.Id;
        Model = chunk.Model ?? Model;
        Provider = chunk.Provider ?? Provider;
        Usage = chunk.Usage ?? Usage;
        foreach (var choice in chunk.Choices)
        {
            if (choice.Delta is { } delta
                && (!string.IsNullOrEmpty(delta.Content) || !string.IsNullOrEmpty(delta.Reasoning) || delta.AdditionalProperties is { Count: > 0 }))
            {
                OutputStarted = true;
            }
        }

        if (chunk.Error is { } error)
        {
            Error = OpenRouterClient.FromPayload(error, HttpStatusCode.OK, OutputStarted, retryAfter: null);
        }

        return chunk;
    }

    private static string Truncate(string text) => text.Length > 500 ? text[..500] + "..." : text;
}
