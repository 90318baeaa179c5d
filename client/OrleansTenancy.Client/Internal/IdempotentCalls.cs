using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace OrleansTenancy.Client;

/// <summary>
/// Runs calls that are safe to repeat, trying again when the gateway or silo that carried them failed
/// (<see cref="TenancyClientOptions.RetryAttempts"/>, waits doubling from <see cref="TenancyClientOptions.RetryDelay"/>).
/// </summary>
/// <remarks>
/// Only calls whose repetition leaves the same state go through here: reads, setting or clearing a budget override,
/// memory writes that carry their entry id, deletions. A chat call never does: one that timed out or lost its gateway
/// may have reached upstream, and sending it again could pay twice. Errors the cluster answered (an unknown tenant, an
/// invalid argument) are not retried either; they would answer the same again.
/// </remarks>
internal sealed partial class IdempotentCalls(TenancyClientOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>Whether an error says the call's transport failed rather than that the cluster answered it.</summary>
    public static bool IsTransient(Exception error) =>
        error is OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException or TimeoutException;

    public async Task<T> RunAsync<T>(string operation, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().WaitAsync(cancellationToken);
            }
            catch (Exception error) when (attempt <= options.RetryAttempts && IsTransient(error) && !cancellationToken.IsCancellationRequested)
            {
                var delay = options.RetryDelay * Math.Pow(2, attempt - 1);
                LogRetry(logger, operation, attempt, options.RetryAttempts, delay.TotalMilliseconds, error.GetType().Name, error.Message);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation} failed in transit (attempt {Attempt} of {Retries} retries; {Error}: {Message}); trying again in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string operation, int attempt, int retries, double delayMs, string error, string message);
}
