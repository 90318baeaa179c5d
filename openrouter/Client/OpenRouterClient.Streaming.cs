using System.Runtime.CompilerServices;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter;

public sealed partial class OpenRouterClient
{
    /// <summary>
    /// Starts a streamed completion (forcing <c>stream: true</c> and <c>usage: {include: true}</c>) and returns once
    /// the response headers arrived. Retries happen only inside this call, before any chunk can have been read.
    /// </summary>
    /// <param name="request">The request; not modified.</param>
    /// <param name="callOptions">Per-call settings.</param>
    /// <param name="cancellationToken">Cancels starting the stream.</param>
    /// <exception cref="OpenRouterException">OpenRouter refused the call, or no headers arrived in time.</exception>
    public Task<StreamingCompletion> StartStreamAsync(ChatCompletionRequest request, OpenRouterCallOptions? callOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = SerializeForWire(request, stream: true);
        return ExecuteWithRetriesAsync(
            (attempt, token) => StartStreamOnceAsync(body, callOptions, attempt, token),
            callOptions?.MaxRetries ?? _options.MaxRetries,
            cancellationToken);
    }

    /// <summary>Starts a stream and yields its chunks; see <see cref="StreamingCompletion.ReadChunksAsync"/> for errors.</summary>
    /// <param name="request">The request; not modified.</param>
    /// <param name="callOptions">Per-call settings.</param>
    /// <param name="cancellationToken">Cancels starting and reading.</param>
    public async IAsyncEnumerable<ChatCompletionChunk> StreamAsync(
        ChatCompletionRequest request,
        OpenRouterCallOptions? callOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var stream = await StartStreamAsync(request, callOptions, cancellationToken);
        await foreach (var chunk in stream.ReadChunksAsync(cancellationToken))
        {
            yield return chunk;
        }
    }

    private async Task<StreamingCompletion> StartStreamOnceAsync(byte[] body, OpenRouterCallOptions? callOptions, int attempt, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = BuildPost(body, callOptions, stream: true);
        HttpResponseMessage? response = null;
        try
        {
            response = await SendAsync(request, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw await ReadErrorAsync(response, linked.Token);
            }

            var stream = new StreamingCompletion(response, attempt, _options.StreamIdleTimeout, _time);
            response = null;
            return stream;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Not the caller's cancellation, so a timeout: ours, or HttpClient.Timeout if it was left finite.
            throw TimedOut(_chatCompletionsUrl);
        }
        finally
        {
            response?.Dispose();
        }
    }
}
