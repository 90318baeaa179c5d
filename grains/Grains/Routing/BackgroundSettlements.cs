using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansTenancy.Grains.Routing;

/// <summary>
/// Settlements that complete behind the answer they belong to.
/// </summary>
/// <remarks>
/// <para>
/// By the time a call is settled upstream has already charged for it, so holding the caller's answer until the
/// settlement is durable protects no money: if the process dies first, the charge goes unrecorded either way. What
/// does protect the budget is unchanged: the reservation, durable before upstream was called, holds the call's worst
/// case until the settlement replaces it with the actual cost.
/// </para>
/// <para>
/// The settlement is <em>sent</em> before the answer is returned, so a later call from the same caller is ordered
/// after it on the tenant grain and sees the settled counters. A settlement that fails is retried (settling is
/// idempotent on the request id) after <see cref="RetryDelays"/>; one that still fails is logged as an error and its
/// reservation stays open until its TTL. <see cref="DrainAsync"/> waits for the settlements in flight; the host calls
/// it on shutdown, before the silo stops.
/// </para>
/// </remarks>
public sealed partial class BackgroundSettlements
{
    /// <summary>The waits between the attempts of a failing settlement.</summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly TimeProvider _time;
    private readonly ILogger<BackgroundSettlements> _logger;
    private long _failed;

    /// <summary>Creates the tracker.</summary>
    public BackgroundSettlements(TimeProvider time, ILogger<BackgroundSettlements> logger)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Settlements started and not yet finished.</summary>
    public int InFlight => _running.Count;

    /// <summary>Settlements that failed on every attempt since start.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Starts <paramref name="settle"/> now (so its grain call is sent before this returns) and lets it finish in the
    /// background, with retries.
    /// </summary>
    /// <param name="settle">Sends the settlement; called again for each retry.</param>
    /// <param name="tenant">The tenant, for the log.</param>
    /// <param name="requestId">The request id, for the log.</param>
    public void Start(Func<Task> settle, string tenant, string requestId)
    {
        ArgumentNullException.ThrowIfNull(settle);
        var run = RunAsync(settle, tenant, requestId);
        if (run.IsCompleted)
        {
            return;
        }

        _running.TryAdd(run, 0);
        _ = run.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _), _running,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits until every settlement started before or during this call has finished.</summary>
    /// <param name="cancellationToken">Stops waiting (the settlements go on).</param>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        while (!_running.IsEmpty)
        {
            await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(Func<Task> settle, string tenant, string requestId)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await settle().ConfigureAwait(false);
                return;
            }
            catch (Exception error) when (attempt < RetryDelays.Count)
            {
                LogRetrying(tenant, requestId, attempt + 1, RetryDelays[attempt].TotalMilliseconds, error.Message);
                await Task.Delay(RetryDelays[attempt], _time).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                Interlocked.Increment(ref _failed);
                LogGaveUp(error, tenant, requestId, attempt + 1);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settlement of request {RequestId} for tenant {Tenant} failed (attempt {Attempt}); retrying in {DelayMs} ms: {Error}")]
    private partial void LogRetrying(string tenant, string requestId, int attempt, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Settlement of request {RequestId} for tenant {Tenant} failed {Attempts} times; its reservation stays open until its TTL and the call's cost is not counted")]
    private partial void LogGaveUp(Exception error, string tenant, string requestId, int attempts);
}
