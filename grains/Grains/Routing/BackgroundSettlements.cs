using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansTenancy.Grains.Routing;

/// <summary>
/// Settlements of answered calls: stored before the answer when they can be, else kept and retried behind it; never dropped.
/// </summary>
/// <remarks>
/// <para>
/// What protects the budget is the reservation, durable before upstream was called, which holds the call's worst case
/// until the settlement replaces it with the actual cost. The router holds a call's answer for the settlement's first
/// attempt (<see cref="StartAsync"/>): an answered call is then stored by its tenant grain, or kept in this silo's
/// outbox when that attempt failed, so the death of the silo that answered, or of the one its tenant grain lived on,
/// loses no call a caller was told it got (one grain call and one group-committed write per answer; docs/CLUSTER.md).
/// A single silo whose outbox is a <see cref="SettlementJournal"/> answers sooner, with the same promise: once the
/// settlement is kept in the journal (<see cref="SettlementOptions.AnswerOnceKept"/>; one group-committed append shared
/// by concurrent calls), since that silo, and no other, resumes the journal when it starts again.
/// </para>
/// <para>
/// The settlement is <em>sent</em> before the answer is returned. A later call from the same caller usually reaches the
/// tenant grain after it; Orleans does not promise that, and one that arrives first sees the reservation still held
/// (more budget held, never less) or, under the same request id, a call in progress. Settling is idempotent on the
/// request id, so a settlement can be sent as often as it takes: one that fails is written to this silo's
/// <see cref="ISettlementOutbox"/> and retried (after <see cref="RetryDelays"/>, then every
/// <see cref="RetryDelays"/>' last delay) until its tenant grain stores it; only then is it removed from the outbox.
/// </para>
/// <para>
/// <b>Stop and start.</b> <see cref="DrainAsync"/> waits for the settlements in flight; the host calls it on shutdown,
/// before the silo stops. When the host stops waiting, every settlement not stored yet is in the outbox, and
/// <see cref="ResumeAsync"/> sends them again when the silo starts on the same data directory. Only a settlement whose
/// first attempt was still on its way when the process was killed is lost; its reservation then holds the call's worst
/// case until the reservation's TTL.
/// </para>
/// <para>
/// <b>TTL.</b> The reservation a pending settlement replaces holds the worst case for its TTL
/// (<c>reservation_ttl_seconds</c>). A settlement stored after that is still counted in full, in the period of its
/// reservation (<see cref="OrleansTenancy.Tenancy.SettleResult.SettledAfterExpiry"/>); in between, that call's cost is
/// not held, so a hard cap can be passed by at most the calls whose settlements stayed undeliverable longer than the TTL.
/// </para>
/// </remarks>
public sealed partial class BackgroundSettlements : IDisposable
{
    /// <summary>The waits between the attempts of a failing settlement; the last one repeats until it is stored.</summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    private readonly ConcurrentDictionary<Task, PendingSettlement> _running = new();
    // A settlement kept, or on its way into the outbox: the task says whether it got there.
    private readonly ConcurrentDictionary<PendingSettlement, Task<bool>> _kept = new(ReferenceEqualityComparer.Instance);
    private readonly Func<PendingSettlement, Task> _send;
    private readonly ISettlementOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger<BackgroundSettlements> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly bool _answerOnceKept;

    /// <summary>Creates the settlements of one silo.</summary>
    /// <param name="send">Sends one settlement to its tenant grain (called again for each retry).</param>
    /// <param name="outbox">Where a settlement waits while it cannot be stored.</param>
    /// <param name="time">The clock of the retry delays.</param>
    /// <param name="logger">The log.</param>
    /// <param name="options">When <see cref="StartAsync"/> lets the answer go; by default once the tenant grain stored it.</param>
    public BackgroundSettlements(Func<PendingSettlement, Task> send, ISettlementOutbox outbox, TimeProvider time, ILogger<BackgroundSettlements> logger, SettlementOptions? options = null)
    {
        _answerOnceKept = options?.AnswerOnceKept ?? false;
        _send = send ?? throw new ArgumentNullException(nameof(send));
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Settlements started and not yet stored by their tenant grain.</summary>
    public int InFlight => _running.Count;

    /// <summary>Settlements kept in the outbox because a store failed, not yet stored.</summary>
    public int Kept => _kept.Count;

    /// <summary>
    /// Starts sending <paramref name="settlement"/> now (so its grain call is sent before this returns) and lets it
    /// finish in the background, kept in the outbox and retried until it is stored.
    /// </summary>
    /// <param name="settlement">The settlement.</param>
    public void Start(PendingSettlement settlement) => _ = StartAsync(settlement);

    /// <summary>
    /// Starts sending <paramref name="settlement"/> as <see cref="Start"/> does; the task completes once its first
    /// attempt is over: the tenant grain has stored it, or it failed and is kept in the outbox, retried from there.
    /// With <see cref="SettlementOptions.AnswerOnceKept"/>, the settlement is written to the outbox at the same time,
    /// and the task completes as soon as either holds it.
    /// </summary>
    /// <param name="settlement">The settlement.</param>
    public Task StartAsync(PendingSettlement settlement)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_answerOnceKept)
        {
            Track(RunAsync(settlement, kept: false, firstAttempt), settlement);
            return firstAttempt.Task;
        }

        // Marked as on its way into the outbox before it is sent, so that a send that ends first removes it once kept.
        // Sent before it is kept: the outbox may flush on this thread, and the tenant grain's work runs meanwhile.
        var kept = new TaskCompletionSource<bool>();
        _kept[settlement] = kept.Task;
        Track(RunAsync(settlement, kept: false, firstAttempt), settlement);
        _ = SaveAsync(settlement, kept);

        // The answer goes once the outbox holds the settlement; if it could not keep it, the first attempt decides.
        // Synchronous: this only releases the caller, whose continuation runs on a thread of its own — or, when the
        // outbox kept it on this thread, goes on here without a hand-off.
        _ = kept.Task.ContinueWith(
            static (kept, state) =>
            {
                if (kept.Result)
                {
                    ((TaskCompletionSource)state!).TrySetResult();
                }
            },
            firstAttempt, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return firstAttempt.Task;
    }

    /// <summary>Sends again every settlement the outbox kept (after a restart); call once the grains can be reached.</summary>
    /// <param name="cancellationToken">Stops reading the outbox.</param>
    /// <returns>How many settlements were resumed.</returns>
    public async Task<int> ResumeAsync(CancellationToken cancellationToken = default)
    {
        var kept = await _outbox.LoadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var settlement in kept)
        {
            _kept.TryAdd(settlement, Task.FromResult(true));
            Track(RunAsync(settlement, kept: true), settlement);
        }

        if (kept.Count > 0)
        {
            LogResumed(kept.Count);
        }

        return kept.Count;
    }

    /// <summary>
    /// Waits until every settlement started before or during this call is stored. When <paramref name="cancellationToken"/>
    /// fires first (the host stops waiting), the settlements not stored yet are made sure to be in the outbox, their
    /// retries stop, and this returns: a later start resumes them.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            while (!_running.IsEmpty)
            {
                await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            foreach (var settlement in _running.Values)
            {
                await KeepAsync(settlement).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops the retries; the settlements not stored yet stay in the outbox.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Track(Task run, PendingSettlement settlement)
    {
        if (run.IsCompleted)
        {
            return;
        }

        _running.TryAdd(run, settlement);
        _ = run.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, PendingSettlement>)state!).TryRemove(done, out _), _running,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunAsync(PendingSettlement settlement, bool kept, TaskCompletionSource? firstAttempt = null)
    {
        try
        {
            await SendUntilStoredAsync(settlement, kept, firstAttempt).ConfigureAwait(false);
        }
        finally
        {
            firstAttempt?.TrySetResult();
        }
    }

    private async Task SendUntilStoredAsync(PendingSettlement settlement, bool kept, TaskCompletionSource? firstAttempt)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _send(settlement).ConfigureAwait(false);
                firstAttempt?.TrySetResult();
                if (kept || _kept.ContainsKey(settlement))
                {
                    await ForgetAsync(settlement, attempt + 1, reported: kept || attempt > 0).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception error)
            {
                kept = await KeepAsync(settlement).ConfigureAwait(false);
                firstAttempt?.TrySetResult();
                if (_stopping.IsCancellationRequested)
                {
                    return; // the outbox holds it for the next start
                }

                var delay = RetryDelays[Math.Min(attempt, RetryDelays.Count - 1)];

                // Loud for the first attempts, then once in a while, so an outage of hours does not flood the log.
                if (attempt < RetryDelays.Count || attempt % 60 == 0)
                {
                    LogRetrying(settlement.Tenant, settlement.Settlement.RequestId, attempt + 1, delay.TotalMilliseconds, error.Message);
                }

                try
                {
                    await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return; // stopping: the outbox holds it
                }
            }
        }
    }

    /// <summary>Writes a settlement to the outbox (once; a second caller gets the first write's task); returns whether it is there.</summary>
    private Task<bool> KeepAsync(PendingSettlement settlement)
    {
        // Completed on a thread the outbox gives up (its write's completion runs asynchronously): what waits on it only
        // releases the answer or forgets the settlement, so it runs there, without another hand-off.
        var mine = new TaskCompletionSource<bool>();
        var keeping = _kept.GetOrAdd(settlement, mine.Task);
        if (ReferenceEquals(keeping, mine.Task))
        {
            _ = SaveAsync(settlement, mine);
        }

        return keeping;
    }

    private async Task SaveAsync(PendingSettlement settlement, TaskCompletionSource<bool> kept)
    {
        try
        {
            await _outbox.SaveAsync(settlement).ConfigureAwait(false);
            kept.TrySetResult(true);
        }
        catch (Exception error)
        {
            // Retried in memory all the same; the settlement is lost only if this process stops before it is stored.
            _kept.TryRemove(KeyValuePair.Create(settlement, kept.Task));
            LogNotKept(error, settlement.Tenant, settlement.Settlement.RequestId);
            kept.TrySetResult(false);
        }
    }

    private async Task ForgetAsync(PendingSettlement settlement, int attempts, bool reported)
    {
        if (!_kept.TryRemove(settlement, out var keeping) || !await keeping.ConfigureAwait(false))
        {
            return; // never reached the outbox: nothing to remove
        }

        try
        {
            await _outbox.RemoveAsync(settlement).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Sending it again after a restart is harmless: settling is idempotent on the request id.
            LogNotForgotten(error, settlement.Tenant, settlement.Settlement.RequestId);
        }

        // A settlement kept only so that the answer could go (AnswerOnceKept) is the usual path, not news.
        if (reported)
        {
            LogStored(settlement.Tenant, settlement.Settlement.RequestId, attempts);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settlement of request {RequestId} for tenant {Tenant} failed (attempt {Attempt}); it is kept in the settlement outbox and retried in {DelayMs} ms: {Error}")]
    private partial void LogRetrying(string tenant, string requestId, int attempt, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Settlement of request {RequestId} for tenant {Tenant} stored after {Attempts} attempt(s) and removed from the settlement outbox")]
    private partial void LogStored(string tenant, string requestId, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Settlement of request {RequestId} for tenant {Tenant} could not be written to the settlement outbox; it is retried in memory and lost if this silo stops first")]
    private partial void LogNotKept(Exception error, string tenant, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settlement of request {RequestId} for tenant {Tenant} is stored but its outbox file could not be removed; a restart sends it again, harmlessly")]
    private partial void LogNotForgotten(Exception error, string tenant, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} settlement(s) kept in the settlement outbox by an earlier run are sent again")]
    private partial void LogResumed(int count);
}
