using Microsoft.Extensions.Logging;

namespace OrleansTenancy.OpenRouter;

public sealed partial class OpenRouterClient
{
    private async Task<T> ExecuteWithRetriesAsync<T>(Func<int, CancellationToken, Task<T>> attempt, int maxRetries, CancellationToken cancellationToken)
    {
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt(number, cancellationToken);
            }
            catch (OpenRouterException ex) when (ex.IsRetryable && number <= maxRetries)
            {
                var delay = RetryDelay(ex.RetryAfter, number);
                _logger.LogWarning(
                    "OpenRouter attempt {Attempt} of {MaxAttempts} failed with {Kind} ({Status}); retrying in {Delay}",
                    number,
                    maxRetries + 1,
                    ex.Kind,
                    ex.StatusCode,
                    delay);
                await Task.Delay(delay, _time, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The wait before retry <paramref name="attempt"/>: OpenRouter's <c>Retry-After</c> when given, else
    /// exponential backoff from <see cref="OpenRouterOptions.RetryBaseDelay"/> with up to 25% jitter so that
    /// clients rate-limited together do not return together; both capped by <see cref="OpenRouterOptions.MaxRetryDelay"/>.
    /// </summary>
    internal TimeSpan RetryDelay(TimeSpan? retryAfter, int attempt)
    {
        TimeSpan delay;
        if (retryAfter is { } requested)
        {
            delay = requested;
        }
        else
        {
            var backoff = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
#pragma warning disable CA5394 // Jitter needs spread, not unpredictability.
            var jitter = backoff * 0.25 * Random.Shared.NextDouble();
#pragma warning restore CA5394
            delay = TimeSpan.FromMilliseconds(Math.Min(backoff + jitter, _options.MaxRetryDelay.TotalMilliseconds));
        }

        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }
}
