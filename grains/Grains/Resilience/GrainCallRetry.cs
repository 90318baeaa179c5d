using System.Data.Common;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace OrleansTenancy.Grains.Resilience;

/// <summary>
/// The one rule for retrying a grain call that the cluster, not the grain, failed: used for the calls that are safe to
/// repeat, and for no other.
/// </summary>
/// <remarks>
/// <para>
/// <b>When a silo dies.</b> Its activations are gone until the survivors declare it dead (a few probe periods;
/// <c>Cluster:ProbeTimeout</c>). Until then a call to one of its grains is rejected at once (the connection is refused,
/// <see cref="OrleansMessageRejectionException"/>); a call already on its way fails when the silo is declared dead
/// (<see cref="SiloUnavailableException"/>), or times out (<see cref="TimeoutException"/>). After that, the next call
/// activates the grain on a survivor from storage, where a duplicate activation can still lose a write
/// (<see cref="InconsistentStateException"/>); a storage server that restarts fails writes for a moment
/// (<see cref="DbException"/>). Each of these says nothing about the request itself, so a request the target may
/// receive twice without harm is worth sending again: <see cref="IsTransient"/>.
/// </para>
/// <para>
/// <b>What is safe to repeat.</b> Calls idempotent on their request id or call token (reserve, settle, release) and
/// reads (budget status, memory, the response cache). Whether the lost attempt took effect does not matter: a repeated
/// reserve finds the reservation its first attempt made, a repeated settle or release changes nothing, a read changes
/// nothing. Never a call that may reach upstream (the router's own <c>ChatAsync</c>): its caller decides, by resending
/// its request id.
/// </para>
/// <para>
/// <b>Budget.</b> Attempts are spaced by <see cref="GrainCallRetryOptions.FirstDelay"/>, doubling up to
/// <see cref="GrainCallRetryOptions.MaxDelay"/>, and none starts after <see cref="GrainCallRetryOptions.Budget"/> from
/// the first: long enough to outlast a death declaration and a reactivation, short enough that a caller still gets an
/// answer while it waits. When the budget is spent the last failure goes to the caller.
/// </para>
/// </remarks>
public sealed partial class GrainCallRetry
{
    private readonly GrainCallRetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<GrainCallRetry> _logger;

    /// <summary>Creates the retry rule.</summary>
    /// <param name="options">Budget and spacing of the attempts.</param>
    /// <param name="time">The clock the waits and the budget run on.</param>
    /// <param name="logger">Where retries are logged.</param>
    public GrainCallRetry(GrainCallRetryOptions options, TimeProvider time, ILogger<GrainCallRetry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FirstDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDelay, options.FirstDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Budget, TimeSpan.Zero);
        _options = options;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Whether <paramref name="error"/> is a failure of the cluster or its storage, after which a repeatable call may be
    /// sent again. Orleans hands a grain's storage failure to the caller wrapped in an <see cref="OrleansException"/>
    /// ("Error from storage provider …"); the wrapped failure decides.
    /// </summary>
    /// <param name="error">What the call threw.</param>
    public static bool IsTransient(Exception error) => error switch
    {
        OrleansMessageRejectionException or TimeoutException or InconsistentStateException or DbException => true, // rejections include SiloUnavailableException
        OrleansException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };

    /// <summary>Runs <paramref name="call"/>, sending it again after a transient failure while the budget lasts.</summary>
    /// <typeparam name="T">The call's result.</typeparam>
    /// <param name="call">Makes one attempt; called again for each retry, so it must be safe to repeat.</param>
    /// <param name="operation">What the call does, for the log (e.g. <c>reserve acme</c>).</param>
    /// <param name="cancellationToken">Stops retrying (the attempt in flight goes on).</param>
    /// <exception cref="Exception">The call's failure: at once when it is not transient, else the last one when the budget is spent.</exception>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, string operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var started = _time.GetTimestamp();
        var delay = _options.FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception error) when (IsTransient(error) && !cancellationToken.IsCancellationRequested
                && _time.GetElapsedTime(started) + delay <= _options.Budget)
            {
                LogRetrying(operation, attempt, delay.TotalMilliseconds, error.GetType().Name, error.Message);
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxDelay.Ticks));
        }
    }

    /// <summary>Runs <paramref name="call"/>, sending it again after a transient failure while the budget lasts.</summary>
    /// <param name="call">Makes one attempt; called again for each retry, so it must be safe to repeat.</param>
    /// <param name="operation">What the call does, for the log.</param>
    /// <param name="cancellationToken">Stops retrying.</param>
    public Task RunAsync(Func<Task> call, string operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return RunAsync(async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }, operation, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Grain call '{Operation}' failed on attempt {Attempt} ({ErrorType}: {Error}); sending it again in {DelayMs} ms")]
    private partial void LogRetrying(string operation, int attempt, double delayMs, string errorType, string error);
}

/// <summary>The budget of <see cref="GrainCallRetry"/>.</summary>
public sealed class GrainCallRetryOptions
{
    /// <summary>The wait before the second attempt; each later wait doubles it. Defaults to 100 ms.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two attempts. Defaults to 1 second.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long after the first attempt a retry may still start. Defaults to 10 seconds: twice what a death declaration
    /// and a reactivation take with the cluster's tuned failure detection (docs/CLUSTER.md).
    /// </summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(10);
}
