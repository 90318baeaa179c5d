namespace OrleansTenancy.Grains.Persistence;

/// <summary>
/// Coalesces the durability needs of concurrent requests into as few storage writes as possible (group commit), as
/// work of the grain activation that owns it.
/// </summary>
/// <remarks>
/// <para>
/// <b>Where it runs.</b> Every member is called on the owning activation's scheduler, and the commit loop is activation
/// work too: it is started from a grain turn and each of its awaits resumes on that scheduler (no <c>Task.Run</c>, no
/// <c>ConfigureAwait(false)</c>). The scheduler runs one work item at a time, so the committer needs no lock, and the
/// write and failure delegates may read and replace grain state freely. The owner must be reentrant (or the loop's
/// awaits would block the requests that should join the next batch).
/// </para>
/// <para>
/// <b>Invariant.</b> A caller that mutated state and then awaits <see cref="WhenDurable()"/> in the same turn is released
/// only after a write that started <em>after</em> its mutation has succeeded, so no caller learns of a change before
/// storage holds it.
/// </para>
/// <para>
/// <b>Batching.</b> Exactly one write is in flight. Mutations made while it runs join the next batch, which is written
/// as soon as the current write ends and the work already queued on the activation has run (the loop yields to the
/// scheduler first): under load one write carries every request that arrived during the previous write, so throughput
/// follows the write latency rather than one write per request. Idle, the yield costs one hand-off and no time.
/// Callers whose answer does not wait for the write may let it wait for others (<see cref="WhenDurable(TimeSpan)"/>),
/// so that a busy owner stores many requests per write; any caller that cannot wait starts it at once.
/// </para>
/// <para>
/// <b>Failure.</b> When a write fails, its batch and the batch collecting behind it fail together with the write's
/// exception: both were decided on in-memory state that storage does not hold. <c>onFailure</c> runs first, before any
/// waiter is released, so the owner can discard that state (re-read it) before a retrying caller is served. A caller
/// that asks for durability meanwhile is served by the next write.
/// </para>
/// </remarks>
public sealed class GroupCommitter
{
    /// <summary>The shortest wait <see cref="WhenDurable(TimeSpan)"/> holds a write back for: the system timers' resolution.</summary>
    public static readonly TimeSpan TimerResolution = TimeSpan.FromMilliseconds(1);

    private readonly Func<Task> _write;
    private readonly Func<Exception, Task> _onFailure;
    private readonly TimeProvider _time;
    private Batch? _collecting;
    private bool _running;

    // Completed when a caller moves the collecting batch's write earlier, while the loop holds it back.
    private TaskCompletionSource? _sooner;

    /// <summary>Creates a committer around a write delegate.</summary>
    /// <param name="write">Persists the current in-memory state (everything mutated so far).</param>
    /// <param name="onFailure">Discards un-persisted state after a failed write; runs before waiters are released.</param>
    /// <param name="time">The clock of <see cref="WhenDurable(TimeSpan)"/>'s waits; the system's by default.</param>
    public GroupCommitter(Func<Task> write, Func<Exception, Task> onFailure, TimeProvider? time = null)
    {
        _write = write ?? throw new ArgumentNullException(nameof(write));
        _onFailure = onFailure ?? throw new ArgumentNullException(nameof(onFailure));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The number of writes that succeeded.</summary>
    public long WritesSucceeded { get; private set; }

    /// <summary>The number of callers released by successful writes.</summary>
    public long CallersCommitted { get; private set; }

    /// <summary>Whether a write is in flight or waiting to start.</summary>
    public bool IsBusy => _running || _collecting is not null;

    /// <summary>
    /// Returns a task that completes when a write containing every mutation made before this call has succeeded,
    /// and faults with the write's exception when that write fails.
    /// </summary>
    public Task WhenDurable() => WhenDurable(TimeSpan.Zero);

    /// <summary>
    /// As <see cref="WhenDurable()"/>, but the write may wait up to <paramref name="within"/> for more mutations to join
    /// it, unless a caller that cannot wait (or waits less) joins first: for callers that are not holding up an answer,
    /// so that a busy owner stores the changes of many requests in one write.
    /// </summary>
    /// <param name="within">How long the write may wait for others; zero or less: none.</param>
    public Task WhenDurable(TimeSpan within)
    {
        var batch = _collecting ??= new Batch();
        batch.Members++;
        var due = within > TimeSpan.Zero ? _time.GetUtcNow() + within : DateTimeOffset.MinValue;
        if (due < batch.DueAt)
        {
            batch.DueAt = due;
            _sooner?.TrySetResult();
        }

        if (!_running)
        {
            _running = true;
            _ = RunAsync();
        }

        return batch.Task;
    }

    private async Task RunAsync()
    {
        while (true)
        {
            // Let the requests already queued on the activation run first: under load they hold more mutations (other
            // callers' settlements and grants) that then join this write instead of needing the next one.
            await Task.Yield();
            var batch = _collecting;
            if (batch is null)
            {
                _running = false;
                return;
            }

            await UntilDueAsync(batch);
            _collecting = null;
            try
            {
                await _write();
            }
            catch (Exception ex)
            {
                var behind = _collecting;
                _collecting = null;
                try
                {
                    await _onFailure(ex);
                }
                catch
                {
                    // The owner reports a failed discard itself and repeats it before its next decision; the callers
                    // get the write's error, which is what failed their requests.
                }
                finally
                {
                    batch.TrySetException(ex);
                    behind?.TrySetException(ex);
                }

                // A caller that asked for durability while the state was being discarded is served by a fresh write.
                continue;
            }

            WritesSucceeded++;
            CallersCommitted += batch.Members;
            batch.TrySetResult();
        }
    }

    /// <summary>
    /// Holds <paramref name="batch"/> back until its due time; a caller joining with an earlier one ends the wait sooner.
    /// A remainder shorter than <see cref="TimerResolution"/> counts as due.
    /// </summary>
    private async Task UntilDueAsync(Batch batch)
    {
        // The system's timers count whole milliseconds: a shorter wait completes at once, so waiting for it would spin
        // this loop (on the activation, holding up its requests) until the clock passes the due time.
        while (batch.DueAt - _time.GetUtcNow() is var wait && wait >= TimerResolution)
        {
            _sooner = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var waited = new CancellationTokenSource();
            await Task.WhenAny(Task.Delay(wait, _time, waited.Token), _sooner.Task);
            _sooner = null;
            await waited.CancelAsync();
        }
    }

    /// <summary>One write's worth of waiting callers.</summary>
    private sealed class Batch() : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public int Members { get; set; }

        /// <summary>When the write should start: the earliest that a member allows.</summary>
        public DateTimeOffset DueAt { get; set; } = DateTimeOffset.MaxValue;
    }
}
